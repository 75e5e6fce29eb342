package flexmetal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func TestWithBaseURL_rejectsURLsWithoutHTTPSchemeOrHost(t *testing.T) {
	for _, raw := range []string{
		"",
		"api.i3d.net",
		"localhost:8080",
		"//api.i3d.net",
		"http://",
		"https:///v3",
		"ftp://api.i3d.net",
		"http://[::1",
	} {
		t.Run(raw, func(t *testing.T) {
			if c, err := flexmetal.NewClient(flexmetal.WithBaseURL(raw)); err == nil {
				t.Fatalf("NewClient(WithBaseURL(%q)) = %v, want an error", raw, c.BaseURL())
			}
		})
	}
}

func TestWithBaseURL_acceptsHTTPAndHTTPSAndTrimsTrailingSlash(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.i3d.net":          "https://api.i3d.net",
		"https://api.i3d.net/":         "https://api.i3d.net",
		"http://127.0.0.1:8080/":       "http://127.0.0.1:8080",
		"http://127.0.0.1:8080/prefix": "http://127.0.0.1:8080/prefix",
	} {
		c, err := flexmetal.NewClient(flexmetal.WithBaseURL(raw))
		if err != nil {
			t.Fatalf("WithBaseURL(%q): %v", raw, err)
		}
		if got := c.BaseURL(); got != want {
			t.Errorf("WithBaseURL(%q).BaseURL() = %q, want %q", raw, got, want)
		}
	}
}

func TestNewClient_defaultsToPublicEndpointAndPollInterval(t *testing.T) {
	c, err := flexmetal.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseURL() != flexmetal.DefaultBaseURL {
		t.Errorf("BaseURL() = %q, want %q", c.BaseURL(), flexmetal.DefaultBaseURL)
	}
	if c.PollInterval() != flexmetal.DefaultPollInterval {
		t.Errorf("PollInterval() = %s, want %s", c.PollInterval(), flexmetal.DefaultPollInterval)
	}
}

func TestPollIntervalOptions_rejectNonPositiveDurations(t *testing.T) {
	cases := map[string]flexmetal.Option{
		"poll zero":         flexmetal.WithPollInterval(0),
		"poll negative":     flexmetal.WithPollInterval(-time.Second),
		"min poll zero":     flexmetal.WithMinPollInterval(0),
		"min poll negative": flexmetal.WithMinPollInterval(-time.Millisecond),
	}
	for name, opt := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := flexmetal.NewClient(opt); err == nil {
				t.Fatal("NewClient accepted a non-positive interval")
			}
		})
	}
	c, err := flexmetal.NewClient(flexmetal.WithPollInterval(3 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if c.PollInterval() != 3*time.Second {
		t.Errorf("PollInterval() = %s, want 3s", c.PollInterval())
	}
}

func TestBaseURLPathPrefix_isKeptInFrontOfEveryPath(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "delivered"))))
	c := newClient(t, api.URL+"/gateway/")
	if _, err := c.Servers.Get(context.Background(), "u1"); err != nil {
		t.Fatal(err)
	}
	if got := rec.only(t).Path; got != "/gateway/v3/flexMetal/servers/u1" {
		t.Errorf("path = %q, want /gateway/v3/flexMetal/servers/u1", got)
	}
}

// endpointCall is one public client method and the answer its endpoint gives.
type endpointCall struct {
	name   string
	answer reply
	call   func(context.Context, *flexmetal.Client) error
	// wire expectations
	method  string
	path    string // decoded
	query   url.Values
	hasBody bool
}

func endpointCalls(t *testing.T) []endpointCall {
	ignore := func(_ any, err error) error { return err }
	server := okJSON(serverArray(t, "delivered"))
	key := okJSON(`[{"uuid":"k1","name":"laptop","publicKey":"ssh-ed25519 AAAA","createdAt":1700000000}]`)
	return []endpointCall{
		{name: "Servers.Get", answer: server, method: "GET", path: "/v3/flexMetal/servers/u1",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.Servers.Get(ctx, "u1")) }},
		{name: "Servers.List", answer: okJSON(`[]`), method: "GET", path: "/v3/flexMetal/servers",
			query: url.Values{"status": {"delivered"}, "tag": {"env:dev", "team_a"}},
			call: func(ctx context.Context, c *flexmetal.Client) error {
				return ignore(c.Servers.List(ctx, flexmetal.ListServersOptions{Status: "delivered", Tags: []string{"env:dev", "team_a"}}))
			}},
		{name: "Servers.Create", answer: server, method: "POST", path: "/v3/flexMetal/servers", hasBody: true,
			call: func(ctx context.Context, c *flexmetal.Client) error {
				return ignore(c.Servers.Create(ctx, flexmetal.CreateServerRequest{Name: "n", Location: "EU: Rotterdam", InstanceType: "bm7.std.8", OS: flexmetal.OSRequest{Slug: "ubuntu-2404-lts"}, SSHKeys: []string{"k1"}}))
			}},
		{name: "Servers.Release", answer: server, method: "DELETE", path: "/v3/flexMetal/servers/u1",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.Servers.Release(ctx, "u1")) }},
		{name: "Servers.AddTag", answer: server, method: "POST", path: "/v3/flexMetal/servers/u1/tag/env:dev",
			call: func(ctx context.Context, c *flexmetal.Client) error {
				return ignore(c.Servers.AddTag(ctx, "u1", "env:dev"))
			}},
		{name: "Servers.RemoveTag", answer: server, method: "DELETE", path: "/v3/flexMetal/servers/u1/tag/env:dev",
			call: func(ctx context.Context, c *flexmetal.Client) error {
				return ignore(c.Servers.RemoveTag(ctx, "u1", "env:dev"))
			}},
		{name: "Locations.List", answer: okJSON(`[]`), method: "GET", path: "/v3/flexMetal/location",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.Locations.List(ctx)) }},
		{name: "Locations.InstanceTypes", answer: okJSON(`[]`), method: "GET", path: "/v3/flexMetal/location/18/instanceTypes",
			call: func(ctx context.Context, c *flexmetal.Client) error {
				return ignore(c.Locations.InstanceTypes(ctx, 18))
			}},
		{name: "Plans.List", answer: okJSON(`[]`), method: "GET", path: "/v3/flexMetal/plans",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.Plans.List(ctx)) }},
		{name: "OperatingSystems.List", answer: okJSON(`[]`), method: "GET", path: "/v3/operatingsystem",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.OperatingSystems.List(ctx)) }},
		{name: "SSHKeys.List", answer: okJSON(`[]`), method: "GET", path: "/v3/sshKey",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.SSHKeys.List(ctx)) }},
		{name: "SSHKeys.Get", answer: key, method: "GET", path: "/v3/sshKey/k1",
			call: func(ctx context.Context, c *flexmetal.Client) error { return ignore(c.SSHKeys.Get(ctx, "k1")) }},
		{name: "SSHKeys.Create", answer: key, method: "POST", path: "/v3/sshKey", hasBody: true,
			call: func(ctx context.Context, c *flexmetal.Client) error {
				return ignore(c.SSHKeys.Create(ctx, "laptop", "ssh-ed25519 AAAA"))
			}},
		{name: "SSHKeys.Delete", answer: reply{status: http.StatusNoContent}, method: "DELETE", path: "/v3/sshKey/k1",
			call: func(ctx context.Context, c *flexmetal.Client) error { return c.SSHKeys.Delete(ctx, "k1") }},
	}
}

func TestEveryEndpoint_usesDocumentedMethodPathAndQuery(t *testing.T) {
	for _, ep := range endpointCalls(t) {
		t.Run(ep.name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, ep.answer))
			c := newClient(t, api.URL)
			if err := ep.call(context.Background(), c); err != nil {
				t.Fatalf("call failed: %v", err)
			}
			got := rec.only(t)
			if got.Method != ep.method || got.Path != ep.path {
				t.Errorf("request = %s %s, want %s %s", got.Method, got.Path, ep.method, ep.path)
			}
			wantQuery := ep.query
			if wantQuery == nil {
				wantQuery = url.Values{}
			}
			if !reflect.DeepEqual(got.Query, wantQuery) {
				t.Errorf("query = %v, want %v", got.Query, wantQuery)
			}
			if hasBody := len(got.Body) > 0; hasBody != ep.hasBody {
				t.Errorf("request has body = %v (%q), want %v", hasBody, got.Body, ep.hasBody)
			}
		})
	}
}

func TestEveryRequest_carriesTokenUserAgentAcceptAndContentTypeOnlyWithBody(t *testing.T) {
	for _, ep := range endpointCalls(t) {
		t.Run(ep.name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, ep.answer))
			c := newClient(t, api.URL)
			if err := ep.call(context.Background(), c); err != nil {
				t.Fatalf("call failed: %v", err)
			}
			h := rec.only(t).Header
			if got := h.Get("PRIVATE-TOKEN"); got != testAPIKey {
				t.Errorf("PRIVATE-TOKEN = %q, want the API key", got)
			}
			if got := h.Get("User-Agent"); got != testUA {
				t.Errorf("User-Agent = %q, want %q", got, testUA)
			}
			if got := h.Get("Accept"); got != "application/json" {
				t.Errorf("Accept = %q, want application/json", got)
			}
			wantCT := ""
			if ep.hasBody {
				wantCT = "application/json"
			}
			if got := h.Get("Content-Type"); got != wantCT {
				t.Errorf("Content-Type = %q, want %q", got, wantCT)
			}
		})
	}
}

func TestUserAgent_hasADefaultWhenNotConfigured(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(`[]`)))
	c, err := flexmetal.NewClient(flexmetal.WithBaseURL(api.URL), flexmetal.WithAPIKey(testAPIKey))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Locations.List(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ua := rec.only(t).Header.Get("User-Agent"); !strings.HasPrefix(ua, "terraform-provider-flexmetal") {
		t.Errorf("default User-Agent = %q, want it to name the provider (not Go-http-client)", ua)
	}
}

func TestServersAddTag_tagWithColonReachesAPIAsOnePathSegment(t *testing.T) {
	for _, op := range []string{"AddTag", "RemoveTag"} {
		t.Run(op, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "delivered", "env:dev"))))
			c := newClient(t, api.URL)
			var err error
			if op == "AddTag" {
				_, err = c.Servers.AddTag(context.Background(), "u1", "env:dev")
			} else {
				_, err = c.Servers.RemoveTag(context.Background(), "u1", "env:dev")
			}
			if err != nil {
				t.Fatal(err)
			}
			uri := rec.only(t).RequestURI
			segs := strings.Split(strings.TrimPrefix(uri, "/"), "/")
			want := []string{"v3", "flexMetal", "servers", "u1", "tag"}
			if len(segs) != len(want)+1 || !slices.Equal(segs[:len(want)], want) {
				t.Fatalf("request URI %q: want /v3/flexMetal/servers/u1/tag/<one segment>", uri)
			}
			if last, err := url.PathUnescape(segs[len(want)]); err != nil || last != "env:dev" {
				t.Errorf("tag segment %q decodes to %q (%v), want env:dev", segs[len(want)], last, err)
			}
		})
	}
}

func decodeBody(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatalf("request body %q is not a JSON object: %v", body, err)
	}
	return m
}

func TestServersCreate_sendsEveryFieldWithTheAPIsNames(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "created"))))
	c := newClient(t, api.URL)
	_, err := c.Servers.Create(context.Background(), flexmetal.CreateServerRequest{
		Name:         "talos-1.example.com",
		Location:     "EU: Rotterdam",
		InstanceType: "bm7.std.8",
		OS: flexmetal.OSRequest{
			Slug:          "talos-omni-184",
			KernelParams:  []flexmetal.KernelParam{{Key: "talos.config", Value: "https://omni.example/x"}},
			Partitions:    []flexmetal.Partition{{Target: "/data", Filesystem: "xfs", Size: -1}},
			IPXEScriptURL: "https://example.org/boot.ipxe",
		},
		SSHKeys:           []string{"ssh-ed25519 AAAA user@host", "3f0c9a52-6b1e-4d7a-9c08-5e2d41b7a6f3"},
		PostInstallScript: "#!/bin/sh\necho hi\n",
		Tags:              []string{"team_a", "env:dev"},
		ContractID:        "ACME-42",
		Overflow:          true,
	})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeBody(t, rec.only(t).Body)
	want := decodeBody(t, []byte(`{
		"name": "talos-1.example.com",
		"location": "EU: Rotterdam",
		"instanceType": "bm7.std.8",
		"os": {
			"slug": "talos-omni-184",
			"kernelParams": [{"key": "talos.config", "value": "https://omni.example/x"}],
			"partitions": [{"target": "/data", "filesystem": "xfs", "size": -1}],
			"ipxeScriptUrl": "https://example.org/boot.ipxe"
		},
		"sshKey": ["ssh-ed25519 AAAA user@host", "3f0c9a52-6b1e-4d7a-9c08-5e2d41b7a6f3"],
		"postInstallScript": "#!/bin/sh\necho hi\n",
		"tags": ["team_a", "env:dev"],
		"contractId": "ACME-42",
		"overflow": true
	}`))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("create body:\n got %v\nwant %v", got, want)
	}
}

func TestServersCreate_omitsUnsetOptionalFields(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "created"))))
	c := newClient(t, api.URL)
	_, err := c.Servers.Create(context.Background(), flexmetal.CreateServerRequest{
		Name: "n1", Location: "EU: Rotterdam", InstanceType: "bm7.std.8",
		OS: flexmetal.OSRequest{Slug: "ubuntu-2404-lts"}, SSHKeys: []string{"ssh-ed25519 AAAA"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := decodeBody(t, rec.only(t).Body)
	want := decodeBody(t, []byte(`{"name":"n1","location":"EU: Rotterdam","instanceType":"bm7.std.8",
		"os":{"slug":"ubuntu-2404-lts"},"sshKey":["ssh-ed25519 AAAA"]}`))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("create body:\n got %v\nwant %v (optional fields must be absent)", got, want)
	}
}

func TestServersCreate_creationTagIsAppendedToTagsWithoutTouchingCallersSlice(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(serverArray(t, "created"))))
	c := newClient(t, api.URL)
	tags := make([]string, 1, 8) // spare capacity: an in-place append would show up in tags[:2]
	tags[0] = "team_a"
	_, err := c.Servers.Create(context.Background(), flexmetal.CreateServerRequest{
		Name: "n1", Location: "EU: Rotterdam", InstanceType: "bm7.std.8",
		OS: flexmetal.OSRequest{Slug: "ubuntu-2404-lts"}, SSHKeys: []string{"k"},
		Tags: tags, CreationTag: "tf-create-abc123",
	})
	if err != nil {
		t.Fatal(err)
	}
	body := decodeBody(t, rec.only(t).Body)
	if got, want := fmt.Sprint(body["tags"]), "[team_a tf-create-abc123]"; got != want {
		t.Errorf("tags in body = %s, want %s", got, want)
	}
	if _, ok := body["creationTag"]; ok {
		t.Error("the body has a creationTag field; the API does not know it")
	}
	if tags[:2][1] != "" {
		t.Errorf("Create wrote into the caller's tags backing array: %q", tags[:2])
	}
}

func TestSSHKeysCreate_sendsNameAndPublicKeyOnly(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(`[{"uuid":"k1","name":"laptop","publicKey":"ssh-ed25519 AAAA me","createdAt":1700000000}]`)))
	c := newClient(t, api.URL)
	key, err := c.SSHKeys.Create(context.Background(), "laptop", "ssh-ed25519 AAAA me")
	if err != nil {
		t.Fatal(err)
	}
	got := decodeBody(t, rec.only(t).Body)
	want := map[string]any{"name": "laptop", "publicKey": "ssh-ed25519 AAAA me"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ssh key body = %v, want %v", got, want)
	}
	wantKey := &flexmetal.SSHKey{UUID: "k1", Name: "laptop", PublicKey: "ssh-ed25519 AAAA me", CreatedAt: time.Unix(1700000000, 0).UTC()}
	if !reflect.DeepEqual(key, wantKey) {
		t.Errorf("Create = %+v, want %+v", key, wantKey)
	}
}

func TestEmptyUUID_isRejectedWithoutARequest(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(`[]`)))
	c := newClient(t, api.URL)
	ctx := context.Background()
	calls := map[string]func() error{
		"Servers.Get":     func() error { _, err := c.Servers.Get(ctx, ""); return err },
		"Servers.Refresh": func() error { _, err := c.Servers.Refresh(ctx, ""); return err },
		"Servers.Release": func() error { _, err := c.Servers.Release(ctx, ""); return err },
		"SSHKeys.Get":     func() error { _, err := c.SSHKeys.Get(ctx, ""); return err },
		"SSHKeys.Delete":  func() error { return c.SSHKeys.Delete(ctx, "") },
	}
	for name, call := range calls {
		if err := call(); err == nil {
			t.Errorf("%s(\"\") succeeded, want an error", name)
		}
	}
	if n := rec.total(); n != 0 {
		t.Errorf("server saw %d requests for empty UUIDs, want 0", n)
	}
}

func TestRequestLog_calledPerAttemptWithMethodPathStatusAndAttempt(t *testing.T) {
	api, _ := newAPI(t, scripted(t, statusReply(503), statusReply(502), okJSON(`[]`)))
	logs := &logCollector{}
	c := newClient(t, api.URL, flexmetal.WithRequestLogger(logs.hook))
	if _, err := c.Servers.List(context.Background(), flexmetal.ListServersOptions{Tags: []string{"env:dev"}}); err != nil {
		t.Fatal(err)
	}
	entries := logs.all()
	wantStatus := []int{503, 502, 200}
	if len(entries) != len(wantStatus) {
		t.Fatalf("got %d log entries, want %d: %+v", len(entries), len(wantStatus), entries)
	}
	for i, e := range entries {
		if e.Method != "GET" || e.Path != serversPath || e.Status != wantStatus[i] || e.Attempt != i+1 {
			t.Errorf("entry %d = {%s %s status %d attempt %d}, want {GET %s status %d attempt %d}",
				i, e.Method, e.Path, e.Status, e.Attempt, serversPath, wantStatus[i], i+1)
		}
		if e.Query != "tag=env%3Adev" {
			t.Errorf("entry %d query = %q, want tag=env%%3Adev", i, e.Query)
		}
		if e.Err != nil {
			t.Errorf("entry %d Err = %v, want nil for an answered request", i, e.Err)
		}
		if e.Duration < 0 {
			t.Errorf("entry %d has negative duration %s", i, e.Duration)
		}
		if strings.Contains(fmt.Sprintf("%+v", e), testAPIKey) {
			t.Errorf("entry %d carries the API key: %+v", i, e)
		}
	}
}

func TestRequestLog_transportFailureIsLoggedWithErrorAndWithoutKey(t *testing.T) {
	logs := &logCollector{}
	c := newClient(t, "http://flexmetal.test",
		flexmetal.WithRetryPolicy(fastRetry(1)),
		flexmetal.WithRequestLogger(logs.hook),
		flexmetal.WithHTTPClient(&http.Client{Transport: echoingTransport{}}))
	_, err := c.Servers.Get(context.Background(), "u1")
	if err == nil {
		t.Fatal("Get succeeded through a failing transport")
	}
	entries := logs.all()
	if len(entries) != 2 {
		t.Fatalf("got %d log entries, want 2 (one per attempt)", len(entries))
	}
	for i, e := range entries {
		if e.Err == nil || e.Status != 0 || e.Attempt != i+1 {
			t.Errorf("entry %d = %+v, want an error, no status, attempt %d", i, e, i+1)
		}
		if strings.Contains(fmt.Sprintf("%+v", e), testAPIKey) || strings.Contains(fmt.Sprint(e.Err), testAPIKey) {
			t.Errorf("entry %d carries the API key: %v", i, e.Err)
		}
	}
}
