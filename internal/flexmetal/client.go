// Package flexmetal is a client for i3D.net's FlexMetal API (bare-metal servers, their catalog
// and stored SSH keys). It knows nothing about Terraform: retries, pagination, the API's
// response shapes and long-running operations are handled here so callers see plain values and
// typed errors.
package flexmetal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultBaseURL is the public FlexMetal API endpoint.
const DefaultBaseURL = "https://api.i3d.net"

// DefaultPollInterval is the longest wait between two status checks of a long-running operation.
const DefaultPollInterval = 10 * time.Second

// maxResponseBytes bounds how much of a response body is read, so a misbehaving endpoint cannot
// exhaust memory.
const maxResponseBytes = 64 << 20

// RequestLog describes one HTTP exchange for a logging hook. It never carries the API key.
type RequestLog struct {
	Method   string
	Path     string
	Query    string
	Status   int
	Duration time.Duration
	Attempt  int
	Err      error
}

// Client talks to the FlexMetal API. It is safe for concurrent use.
type Client struct {
	baseURL      *url.URL
	apiKey       string
	httpClient   *http.Client
	userAgent    string
	retry        RetryPolicy
	pollInterval time.Duration
	minPoll      time.Duration
	logRequest   func(context.Context, RequestLog)
	sleep        func(context.Context, time.Duration) error
	coalesce     bool
	watch        *watcher

	// Servers manages bare-metal servers.
	Servers *ServersService
	// Locations lists data centers and the instance types each offers.
	Locations *LocationsService
	// OperatingSystems lists installable operating systems.
	OperatingSystems *OperatingSystemsService
	// SSHKeys manages stored SSH public keys.
	SSHKeys *SSHKeysService
	// Tags manages the account's server tags.
	Tags *TagsService
	// Account reads quotas, capacity commits and usage.
	Account *AccountService
}

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the API endpoint, e.g. a simulator on loopback.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(strings.TrimRight(raw, "/"))
		if err != nil {
			return fmt.Errorf("invalid base URL %q: %w", raw, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("invalid base URL %q: want http(s)://host[:port]", raw)
		}
		c.baseURL = u
		return nil
	}
}

// WithAPIKey sets the key sent in the PRIVATE-TOKEN header.
func WithAPIKey(key string) Option {
	return func(c *Client) error { c.apiKey = key; return nil }
}

// WithHTTPClient replaces the underlying HTTP client (its Timeout should be zero or generous:
// contexts bound each call).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error { c.httpClient = hc; return nil }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithRetryPolicy replaces the default retry policy.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error { c.retry = p; return nil }
}

// WithPollInterval sets the longest wait between two status checks while waiting for a server.
// The first checks come sooner (from the minimum poll interval, doubling) so quick transitions are
// noticed quickly.
func WithPollInterval(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("poll interval must be positive, got %s", d)
		}
		c.pollInterval = d
		return nil
	}
}

// WithMinPollInterval sets the first wait between status checks (default one second, never more
// than the poll interval).
func WithMinPollInterval(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("minimum poll interval must be positive, got %s", d)
		}
		c.minPoll = d
		return nil
	}
}

// WithRequestLogger installs a hook called after every HTTP attempt, for debug logging.
func WithRequestLogger(fn func(context.Context, RequestLog)) Option {
	return func(c *Client) error { c.logRequest = fn; return nil }
}

// WithCoalescing turns the sharing of status checks between concurrent waits and refreshes on
// (the default) or off. Off, every wait and refresh costs one GET per server per check: the
// baseline the benchmarks compare against.
func WithCoalescing(on bool) Option {
	return func(c *Client) error { c.coalesce = on; return nil }
}

// NewClient builds a client; without options it targets DefaultBaseURL with no key.
func NewClient(opts ...Option) (*Client, error) {
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		baseURL:      base,
		httpClient:   &http.Client{},
		userAgent:    "terraform-provider-flexmetal",
		retry:        DefaultRetryPolicy(),
		pollInterval: DefaultPollInterval,
		minPoll:      time.Second,
		sleep:        sleepContext,
		coalesce:     true,
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.minPoll > c.pollInterval {
		c.minPoll = c.pollInterval
	}
	c.watch = newWatcher(c, c.coalesce)
	c.Servers = &ServersService{client: c}
	c.Locations = &LocationsService{client: c}
	c.OperatingSystems = &OperatingSystemsService{client: c}
	c.SSHKeys = &SSHKeysService{client: c}
	c.Tags = &TagsService{client: c}
	c.Account = &AccountService{client: c}
	return c, nil
}

// PollInterval returns the longest wait between two status checks.
func (c *Client) PollInterval() time.Duration { return c.pollInterval }

// BaseURL returns the endpoint the client talks to.
func (c *Client) BaseURL() string { return c.baseURL.String() }

// request is one logical API call; do() may send it several times.
type request struct {
	method string
	path   string
	query  url.Values
	body   any
	// rangedData is sent as the RANGED-DATA header for paginated lists.
	rangedData string
	// idempotent marks calls that can be replayed without a second side effect. Only those are
	// retried after an answer that does not prove the API did nothing.
	idempotent bool
}

// response is a successful answer's body and headers.
type response struct {
	body   []byte
	header http.Header
}

func (c *Client) do(ctx context.Context, req request) (*response, error) {
	var payload []byte
	if req.body != nil {
		var err error
		if payload, err = json.Marshal(req.body); err != nil {
			return nil, fmt.Errorf("encoding %s %s request: %w", req.method, req.path, err)
		}
	}
	for attempt := 1; ; attempt++ {
		resp, err := c.send(ctx, req, payload, attempt)
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, err
		}
		wait, retry := c.retry.decide(req, err, attempt)
		if !retry {
			return nil, err
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, fmt.Errorf("%w (gave up retrying: %w)", err, serr)
		}
	}
}

func (c *Client) send(ctx context.Context, req request, payload []byte, attempt int) (*response, error) {
	u := *c.baseURL
	u.Path = strings.TrimRight(c.baseURL.Path, "/") + req.path
	if req.query != nil {
		u.RawQuery = req.query.Encode()
	}
	// Build the escaped path ourselves: tags such as "env:dev" must reach the API as one segment.
	u.RawPath = strings.TrimRight(c.baseURL.EscapedPath(), "/") + escapePathSegments(req.path)

	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	httpReq, err := http.NewRequestWithContext(ctx, req.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("building %s %s request: %w", req.method, req.path, err)
	}
	httpReq.Header.Set("PRIVATE-TOKEN", c.apiKey)
	httpReq.Header.Set("Accept", "application/json")
	httpReq.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		httpReq.Header.Set("Content-Type", "application/json")
	}
	if req.rangedData != "" {
		httpReq.Header.Set("RANGED-DATA", req.rangedData)
	}

	start := time.Now()
	httpResp, err := c.httpClient.Do(httpReq)
	entry := RequestLog{Method: req.method, Path: req.path, Query: u.RawQuery, Attempt: attempt}
	if err != nil {
		err = redactKey(err, c.apiKey)
		entry.Duration, entry.Err = time.Since(start), err
		c.log(ctx, entry)
		return nil, &TransportError{Method: req.method, Path: req.path, Err: err}
	}
	defer httpResp.Body.Close()
	data, readErr := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	entry.Status, entry.Duration = httpResp.StatusCode, time.Since(start)
	if readErr != nil {
		readErr = redactKey(readErr, c.apiKey)
		entry.Err = readErr
		c.log(ctx, entry)
		return nil, &TransportError{Method: req.method, Path: req.path, Err: readErr, Sent: true}
	}
	c.log(ctx, entry)
	if httpResp.StatusCode < 200 || httpResp.StatusCode > 299 {
		return nil, redactAPIError(parseAPIError(req, httpResp, data), c.apiKey)
	}
	// A garbled body is checked here, inside the retry loop, so an idempotent call can simply be
	// asked again; callers still decode into their own types.
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && !json.Valid(trimmed) {
		return nil, &ResponseError{Method: req.method, Path: req.path, Err: errors.New("the body is not valid JSON")}
	}
	return &response{body: data, header: httpResp.Header}, nil
}

func (c *Client) log(ctx context.Context, entry RequestLog) {
	if c.logRequest != nil {
		c.logRequest(ctx, entry)
	}
}

// escapePathSegments percent-encodes each segment of an unescaped path.
func escapePathSegments(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// redactKey keeps the API key out of error text in case a transport error echoes a header.
func redactKey(err error, key string) error {
	if key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), key, "***"))
}

// redactAPIError keeps the API key out of an API error whose body echoes it (a proxy's error
// page listing the request headers, say).
func redactAPIError(apiErr *APIError, key string) *APIError {
	if key == "" {
		return apiErr
	}
	apiErr.Message = strings.ReplaceAll(apiErr.Message, key, "***")
	for i := range apiErr.Details {
		apiErr.Details[i].Property = strings.ReplaceAll(apiErr.Details[i].Property, key, "***")
		apiErr.Details[i].Message = strings.ReplaceAll(apiErr.Details[i].Message, key, "***")
	}
	return apiErr
}

// TransportError is a failure to get any HTTP answer (connection refused, reset, timeout).
type TransportError struct {
	Method string
	Path   string
	Err    error
	// Sent is true when the request may have reached the API (the answer was lost after that).
	Sent bool
}

func (e *TransportError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.Path, e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// parseAPIError turns a non-2xx answer into an *APIError, keeping whatever the body says even
// when it is not the API's JSON error shape (a proxy's HTML page, say).
func parseAPIError(req request, resp *http.Response, data []byte) *APIError {
	apiErr := &APIError{StatusCode: resp.StatusCode, Method: req.method, Path: req.path}
	var wire struct {
		ErrorCode    json.Number   `json:"errorCode"`
		ErrorMessage string        `json:"errorMessage"`
		Errors       []ErrorDetail `json:"errors"`
	}
	if err := json.Unmarshal(data, &wire); err == nil && (wire.ErrorMessage != "" || wire.ErrorCode != "" || len(wire.Errors) > 0) {
		if n, err := wire.ErrorCode.Int64(); err == nil {
			apiErr.Code = int(n)
		}
		apiErr.Message = wire.ErrorMessage
		apiErr.Details = wire.Errors
	} else if text := strings.TrimSpace(strings.ToValidUTF8(string(data), "\uFFFD")); text != "" {
		// Cut on a rune boundary: the message ends up in diagnostics, which must be valid UTF-8.
		if runes := []rune(text); len(runes) > 200 {
			text = string(runes[:200]) + "…"
		}
		apiErr.Message = text
	}
	apiErr.RetryAfter = int64(parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()) / time.Second)
	return apiErr
}

// decodeOne accepts the API's one-element array, a bare object, or (for safety) a longer array
// whose first element is the object.
func decodeOne[T any](resp *response, req request) (T, error) {
	var zero T
	items, err := decodeList[T](resp, req)
	if err != nil {
		return zero, err
	}
	if len(items) == 0 {
		return zero, &ResponseError{Method: req.method, Path: req.path, Err: errors.New("empty response where one object was expected")}
	}
	return items[0], nil
}

// decodeList accepts an array, a bare object (a list of one) or an empty body (no items).
func decodeList[T any](resp *response, req request) ([]T, error) {
	data := bytes.TrimSpace(resp.body)
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return nil, nil
	}
	if data[0] == '{' {
		var one T
		if err := json.Unmarshal(data, &one); err != nil {
			return nil, &ResponseError{Method: req.method, Path: req.path, Err: err}
		}
		return []T{one}, nil
	}
	var many []T
	if err := json.Unmarshal(data, &many); err != nil {
		return nil, &ResponseError{Method: req.method, Path: req.path, Err: err}
	}
	return many, nil
}

func sleepContext(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
