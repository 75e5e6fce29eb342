package flexmetal_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// echoingTransport fails every request with an error that quotes the URL and the token header,
// as a misbehaving proxy library might.
type echoingTransport struct{}

func (echoingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("proxy refused %s %s with headers PRIVATE-TOKEN=%s User-Agent=%s",
		r.Method, r.URL, r.Header.Get("PRIVATE-TOKEN"), r.Header.Get("User-Agent"))
}

func TestAPIError_carriesStatusCodeMessageAndPropertyDetails(t *testing.T) {
	body := `{"errorCode":10010,"errorMessage":"Validation failed",
		"errors":[{"property":"name","message":"must not be blank"},{"property":"sshKey","message":"invalid public key"}]}`
	api, _ := newAPI(t, scripted(t, reply{status: http.StatusUnprocessableEntity, body: body}))
	c := newClient(t, api.URL)
	_, err := c.Servers.Create(context.Background(), flexmetal.CreateServerRequest{Name: "", OS: flexmetal.OSRequest{Slug: "x"}})
	wrapped := fmt.Errorf("creating: %w", err)
	apiErr := asAPIError(t, wrapped)
	want := &flexmetal.APIError{
		StatusCode: 422, Code: 10010, Message: "Validation failed",
		Details: []flexmetal.ErrorDetail{{Property: "name", Message: "must not be blank"}, {Property: "sshKey", Message: "invalid public key"}},
		Method:  "POST", Path: serversPath,
	}
	if !reflect.DeepEqual(apiErr, want) {
		t.Errorf("APIError = %+v, want %+v", apiErr, want)
	}
	text := err.Error()
	for _, part := range []string{"POST", serversPath, "422", "10010", "Validation failed", "name: must not be blank", "sshKey: invalid public key"} {
		if !strings.Contains(text, part) {
			t.Errorf("Error() = %q, missing %q", text, part)
		}
	}
	if !flexmetal.IsValidation(wrapped) {
		t.Error("IsValidation(wrapped 422) = false")
	}
}

func TestErrorPredicates_classifyStatusCodes(t *testing.T) {
	type preds struct{ notFound, unauthorized, validation, rateLimited bool }
	cases := []struct {
		status int
		want   preds
	}{
		{400, preds{validation: true}},
		{401, preds{unauthorized: true}},
		{403, preds{unauthorized: true}},
		{404, preds{notFound: true}},
		{409, preds{}},
		{422, preds{validation: true}},
		{429, preds{rateLimited: true}},
		{500, preds{}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, statusReply(tc.status)))
			c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(0)))
			_, err := c.Servers.Get(context.Background(), "u1")
			if got := asAPIError(t, err).StatusCode; got != tc.status {
				t.Fatalf("StatusCode = %d, want %d", got, tc.status)
			}
			got := preds{flexmetal.IsNotFound(err), flexmetal.IsUnauthorized(err), flexmetal.IsValidation(err), flexmetal.IsRateLimited(err)}
			if got != tc.want {
				t.Errorf("predicates = %+v, want %+v", got, tc.want)
			}
			if rec.total() != 1 {
				t.Errorf("server saw %d requests with MaxRetries 0, want 1", rec.total())
			}
		})
	}
	for _, err := range []error{nil, errors.New("boom"), &flexmetal.TransportError{Method: "GET", Path: "/", Err: errors.New("x")}} {
		if flexmetal.IsNotFound(err) || flexmetal.IsUnauthorized(err) || flexmetal.IsValidation(err) || flexmetal.IsRateLimited(err) {
			t.Errorf("a predicate is true for non-API error %v", err)
		}
	}
}

func TestAPIError_nonJSONBodyFromProxyStillGivesReadableMessage(t *testing.T) {
	html := "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	cases := []struct {
		name     string
		answer   reply
		contains []string
	}{
		{"html page", reply{status: 502, body: html, header: map[string]string{"Content-Type": "text/html"}}, []string{"HTTP 502", "502 Bad Gateway"}},
		{"plain text", reply{status: 401, body: "Unauthorized: IP not whitelisted\n", header: map[string]string{"Content-Type": "text/plain"}}, []string{"HTTP 401", "IP not whitelisted"}},
		{"empty body", reply{status: 403}, []string{"HTTP 403", "Forbidden"}},
		{"json without the error shape", reply{status: 400, body: `{"message":"bad range"}`}, []string{"HTTP 400", "bad range"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, tc.answer))
			c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(0)))
			_, err := c.Servers.Get(context.Background(), "u1")
			apiErr := asAPIError(t, err)
			if apiErr.StatusCode != tc.answer.status || apiErr.Code != 0 {
				t.Errorf("StatusCode, Code = %d, %d; want %d, 0", apiErr.StatusCode, apiErr.Code, tc.answer.status)
			}
			for _, part := range tc.contains {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("Error() = %q, missing %q", err.Error(), part)
				}
			}
		})
	}
}

func TestAPIError_longNonUTF8SafeBodyIsCutToValidUTF8(t *testing.T) {
	// 199 ASCII bytes then multi-byte runes: a byte-based cut at 200 would split a rune, and an
	// invalid byte sequence must not survive either (diagnostics travel as protobuf strings).
	body := strings.Repeat("a", 199) + strings.Repeat("é", 50) + "\xff\xfe"
	api, _ := newAPI(t, scripted(t, reply{status: 500, body: body, header: map[string]string{"Content-Type": "text/plain"}}))
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(0)))
	_, err := c.Servers.Get(context.Background(), "u1")
	apiErr := asAPIError(t, err)
	if !utf8.ValidString(apiErr.Message) || !utf8.ValidString(err.Error()) {
		t.Errorf("message is not valid UTF-8: %q", apiErr.Message)
	}
	if n := utf8.RuneCountInString(apiErr.Message); n > 201 {
		t.Errorf("message has %d runes, want it cut to about 200", n)
	}
}

func TestAPIError_retryAfterHeaderIsExposed(t *testing.T) {
	api, _ := newAPI(t, scripted(t, reply{status: 429, header: map[string]string{"Retry-After": "3600"}}))
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(0)))
	_, err := c.Servers.Get(context.Background(), "u1")
	if got := asAPIError(t, err).RetryAfter; got != 3600 {
		t.Errorf("RetryAfter = %d, want 3600", got)
	}
	if !flexmetal.IsRateLimited(err) {
		t.Error("IsRateLimited = false for a 429")
	}
}

func TestErrors_neverContainTheAPIKey(t *testing.T) {
	echoKey := func(status int, contentType, format string) reply {
		return reply{status: status, body: fmt.Sprintf(format, testAPIKey), header: map[string]string{"Content-Type": contentType}}
	}
	closed, _ := newAPI(t, scripted(t, okJSON(`[]`)))
	closedURL := closed.URL
	closed.Close()

	cases := []struct {
		name string
		// url is the base URL; empty means a fresh test server answering with answer.
		url       string
		answer    reply
		transport http.RoundTripper
		call      func(context.Context, *flexmetal.Client) error
	}{
		{name: "transport error echoing URL and token on GET", url: "http://flexmetal.test", transport: echoingTransport{},
			call: func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{name: "transport error echoing token on create", url: "http://flexmetal.test", transport: echoingTransport{},
			call: func(ctx context.Context, c *flexmetal.Client) error {
				_, err := c.Servers.Create(ctx, flexmetal.CreateServerRequest{Name: "n", OS: flexmetal.OSRequest{Slug: "s"}})
				return err
			}},
		{name: "ambiguous create whose lookup fails through an echoing transport", url: "http://flexmetal.test", transport: echoingTransport{},
			call: func(ctx context.Context, c *flexmetal.Client) error {
				_, err := c.Servers.Create(ctx, flexmetal.CreateServerRequest{Name: "n", OS: flexmetal.OSRequest{Slug: "s"}, CreationTag: "tf-1"})
				var amb *flexmetal.AmbiguousCreateError
				if !errors.As(err, &amb) {
					t.Errorf("err = %v, want an *AmbiguousCreateError", err)
				}
				return err
			}},
		{name: "wait ended by deadline after transport errors", url: "http://flexmetal.test", transport: echoingTransport{},
			call: func(ctx context.Context, c *flexmetal.Client) error {
				ctx, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
				defer cancel()
				_, err := c.Servers.WaitForDelivery(ctx, "u1", nil)
				return err
			}},
		{name: "connection refused", url: closedURL,
			call: func(ctx context.Context, c *flexmetal.Client) error { _, err := c.SSHKeys.List(ctx); return err }},
		{name: "401 JSON body echoing the token", answer: echoKey(401, "application/json", `{"errorCode":401,"errorMessage":"invalid token %s","errors":[{"property":"PRIVATE-TOKEN","message":"unknown %[1]s"}]}`),
			call: func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{name: "proxy HTML page listing request headers", answer: echoKey(502, "text/html", "<html><body><h1>502 Bad Gateway</h1><pre>PRIVATE-TOKEN: %s</pre></body></html>"),
			call: func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Locations.List(ctx); return err }},
		{name: "404", answer: reply{status: 404, body: notFoundBody},
			call: func(ctx context.Context, c *flexmetal.Client) error { return c.SSHKeys.Delete(ctx, "k1") }},
		{name: "unreadable 200 body", answer: okJSON(`[{"uuid": 12}]`),
			call: func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.url
			if base == "" {
				api, _ := newAPI(t, scripted(t, tc.answer))
				base = api.URL
			}
			logs := &logCollector{}
			opts := []flexmetal.Option{flexmetal.WithRetryPolicy(fastRetry(1)), flexmetal.WithRequestLogger(logs.hook)}
			if tc.transport != nil {
				opts = append(opts, flexmetal.WithHTTPClient(&http.Client{Transport: tc.transport}))
			}
			c := newClient(t, base, opts...)
			err := tc.call(context.Background(), c)
			if err == nil {
				t.Fatal("call succeeded, want an error")
			}
			assertNoKey(t, err)
			for _, e := range logs.all() {
				if strings.Contains(fmt.Sprintf("%+v", e), testAPIKey) {
					t.Errorf("request log entry carries the API key: %+v", e)
				}
			}
		})
	}
}

func TestIsUnreachable_onlyWhenNoAnswerCameAndTheCallerDidNotGiveUp(t *testing.T) {
	refused := newClient(t, "http://"+closedPort(t), flexmetal.WithRetryPolicy(fastRetry(0)))
	_, refusedErr := refused.Servers.Get(context.Background(), "u1")

	arrived := make(chan struct{})
	api, _ := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	}))
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	_, interruptedErr := newClient(t, api.URL).Servers.Get(ctx, "u1")

	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refusedErr, true},
		{"wrapped connection refused", fmt.Errorf("reading server: %w", refusedErr), true},
		{"interrupted in flight", interruptedErr, false},
		{"transport error from a cancel", &flexmetal.TransportError{Method: "GET", Path: "/", Err: context.Canceled}, false},
		{"403", &flexmetal.APIError{StatusCode: 403}, false},
		{"500", &flexmetal.APIError{StatusCode: 500}, false},
		{"unreadable answer", &flexmetal.ResponseError{Err: errors.New("x")}, false},
		{"plain error", errors.New("x"), false},
		{"nil", nil, false},
	}
	for _, tc := range cases {
		if got := flexmetal.IsUnreachable(tc.err); got != tc.want {
			t.Errorf("IsUnreachable(%s: %v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
	if !errors.Is(interruptedErr, context.Canceled) || !strings.Contains(interruptedErr.Error(), "interrupted") {
		t.Errorf("interrupted request: err = %v, want context.Canceled, described as interrupted", interruptedErr)
	}
}

func TestTransportError_namesEndpointCauseInPlainWordsAndTheUnderlyingError(t *testing.T) {
	addr := closedPort(t)
	c := newClient(t, "http://"+addr+"/prefix", flexmetal.WithRetryPolicy(fastRetry(0)))
	_, err := c.Servers.Get(context.Background(), "u1")
	var tErr *flexmetal.TransportError
	if !errors.As(err, &tErr) {
		t.Fatalf("err = %v (%T), want a *TransportError", err, err)
	}
	if tErr.Endpoint != "http://"+addr {
		t.Errorf("Endpoint = %q, want http://%s (scheme and host only)", tErr.Endpoint, addr)
	}
	want := fmt.Sprintf("GET %s/u1: no answer from http://%s: connection refused (dial tcp %s: connect: connection refused)", serversPath, addr, addr)
	if err.Error() != want {
		t.Errorf("Error() =\n%q, want\n%q", err.Error(), want)
	}
}
