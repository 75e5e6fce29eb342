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
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is the public FlexMetal API endpoint.
const DefaultBaseURL = "https://api.i3d.net"

// DefaultPollInterval is the longest wait between two status checks of a long-running operation.
const DefaultPollInterval = 10 * time.Second

// DefaultSettleTimeout is how long a server order may outlive its caller's interruption, to learn
// whether the API created the server.
const DefaultSettleTimeout = time.Minute

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

// RetryLog describes a wait the client makes instead of giving up, for a logging hook: a backoff
// before re-sending a request, or, once the caller's context has ended, the settle window in
// which a server order's outcome is still awaited (Settling). It never carries the API key.
type RetryLog struct {
	Method string
	Path   string
	// Attempt is the attempt that failed (1 for the first); zero while settling.
	Attempt int
	// Wait is the backoff before the next attempt; while settling, the most the client will
	// still wait.
	Wait time.Duration
	// Err is why: the failed attempt's error, or while settling the caller's context error.
	Err error
	// Settling is set when the caller was interrupted while a server order may have reached the
	// API: the client then waits for the order's answer (Method POST) or looks the order up by
	// its creation tag (Method GET), so a server the API created is not lost.
	Settling bool
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
	logRetry     func(context.Context, RetryLog)
	logWarning   func(context.Context, string, map[string]any)
	settleWindow time.Duration
	sleep        func(context.Context, time.Duration) error
	now          func() time.Time
	coalesce     bool
	watch        *watcher

	// Servers manages bare-metal servers.
	Servers *ServersService
	// Locations lists data centers and, through a deprecated endpoint, the instance types each
	// offers.
	Locations *LocationsService
	// Plans lists instance types with their hardware and live availability per location.
	Plans *PlansService
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
// contexts bound each call). Redirects are not followed unless hc sets its own CheckRedirect.
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

// WithRetryLogger installs a hook called before each retry wait, and when a server order settles
// after an interrupt (see RetryLog), so the caller can warn about them: retries are otherwise
// silent. The hook may run on another goroutine than the call it reports on.
func WithRetryLogger(fn func(context.Context, RetryLog)) Option {
	return func(c *Client) error { c.logRetry = fn; return nil }
}

// WithWarningLogger installs a hook for conditions the caller should warn about that are not
// errors, such as an API too old for an endpoint, so the client falls back to another.
func WithWarningLogger(fn func(ctx context.Context, msg string, fields map[string]any)) Option {
	return func(c *Client) error { c.logWarning = fn; return nil }
}

// WithSettleTimeout bounds how long Servers.Create keeps going after its context ends while an
// order may have reached the API: the time to receive the order's answer or, when it is lost,
// to look the server up by its creation tag (default DefaultSettleTimeout). Zero stops at once,
// leaving such an order unsettled (an *AmbiguousCreateError).
func WithSettleTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("settle timeout must not be negative, got %s", d)
		}
		c.settleWindow = d
		return nil
	}
}

// WithCoalescing turns the sharing of status checks between concurrent waits and refreshes on
// (the default) or off. Off, every wait and refresh costs one GET per server per check: the
// baseline the benchmarks compare against.
func WithCoalescing(on bool) Option {
	return func(c *Client) error { c.coalesce = on; return nil }
}

// refuseRedirect makes a redirect an answer of its own instead of following it (unless a given
// HTTP client sets its own policy): Go's client turns a redirected POST into a GET, which would
// make an order "succeed" by reading a server list.
func refuseRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

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
		settleWindow: DefaultSettleTimeout,
		sleep:        sleepContext,
		now:          time.Now,
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
	if c.httpClient.CheckRedirect == nil {
		hc := *c.httpClient
		hc.CheckRedirect = refuseRedirect
		c.httpClient = &hc
	}
	c.watch = newWatcher(c, c.coalesce)
	c.Servers = &ServersService{client: c}
	c.Locations = &LocationsService{client: c}
	c.Plans = &PlansService{client: c}
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
	// attempted, if set, runs after each attempt has its answer or error: a server order tracks
	// whether one of its attempts is in flight.
	attempted func()
}

// response is a successful answer's body and headers.
type response struct {
	body   []byte
	header http.Header
}

func (c *Client) do(ctx context.Context, req request) (*response, error) {
	return c.doDetached(ctx, ctx, req)
}

// doDetached is do with the attempts sent on sendCtx, which may outlive ctx (a server order
// settling after an interrupt): once ctx is done no attempt or backoff starts, but the attempt
// in flight runs on until sendCtx ends.
func (c *Client) doDetached(ctx, sendCtx context.Context, req request) (*response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var payload []byte
	if req.body != nil {
		var err error
		if payload, err = json.Marshal(req.body); err != nil {
			return nil, fmt.Errorf("encoding %s %s request: %w", req.method, req.path, err)
		}
	}
	start := c.now()
	for attempt := 1; ; attempt++ {
		resp, err := c.send(sendCtx, req, payload, attempt)
		if req.attempted != nil {
			req.attempted()
		}
		if err == nil {
			return resp, nil
		}
		if ctx.Err() != nil || sendCtx.Err() != nil {
			return nil, err
		}
		wait, retry := c.retry.decide(req, err, attempt, c.now().Sub(start))
		if !retry {
			return nil, err
		}
		c.retried(ctx, RetryLog{Method: req.method, Path: req.path, Attempt: attempt, Wait: wait, Err: err})
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
	// Whether the transport looked for a connection and got one tells a request that never left
	// this machine (safe to re-send, even an order) from one that may have reached the API.
	var gettingConn, gotConn atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn: func(string) { gettingConn.Store(true) },
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
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
		return nil, &TransportError{
			Method: req.method, Path: req.path, Endpoint: c.endpoint(), Err: err,
			unsent: gettingConn.Load() && !gotConn.Load(), interrupted: ctx.Err() != nil,
		}
	}
	defer httpResp.Body.Close()
	data, readErr := io.ReadAll(io.LimitReader(httpResp.Body, maxResponseBytes))
	entry.Status, entry.Duration = httpResp.StatusCode, time.Since(start)
	if readErr != nil {
		readErr = redactKey(readErr, c.apiKey)
		entry.Err = readErr
		c.log(ctx, entry)
		return nil, &TransportError{Method: req.method, Path: req.path, Endpoint: c.endpoint(), Err: readErr, Sent: true, interrupted: ctx.Err() != nil}
	}
	c.log(ctx, entry)
	if httpResp.StatusCode == http.StatusBadRequest && u.Scheme == "http" {
		// A TLS port refusing plain HTTP is a wrong base URL, not the API rejecting the request.
		if tlsPort, ok := refusedPlainHTTP(data); ok {
			return nil, &TransportError{Method: req.method, Path: req.path, Endpoint: c.endpoint(), Err: tlsPort, unsent: true}
		}
	}
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

func (c *Client) retried(ctx context.Context, entry RetryLog) {
	if c.logRetry != nil {
		c.logRetry(ctx, entry)
	}
}

// endpoint is the scheme and host requests go to, as error messages show it.
func (c *Client) endpoint() string { return c.baseURL.Scheme + "://" + c.baseURL.Host }

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

// TransportError is a failure to get any HTTP answer from the API: connection refused or reset,
// a timeout, an unknown host name, a TLS or protocol mismatch. IsUnreachable tells it apart
// from the API answering with an error.
type TransportError struct {
	Method string
	Path   string
	// Endpoint is the scheme and host the request went to (https://api.i3d.net), so the message
	// shows a wrong base URL at a glance.
	Endpoint string
	Err      error
	// Sent is true when the request may have reached the API (the answer was lost after that).
	Sent bool

	// unsent is set when nothing can have reached the API, whatever the error says: the
	// transport looked for a connection and got none, or a TLS port refused plain HTTP.
	unsent bool
	// interrupted is set when the request's context had ended: the caller gave up, the API was
	// not necessarily unreachable.
	interrupted bool
}

// Error names the endpoint and, in plain words, why it gave no answer, then the underlying error.
func (e *TransportError) Error() string {
	endpoint := e.Endpoint
	if endpoint == "" {
		endpoint = "the API"
	}
	// The URL error repeats method and URL: keep only what it wraps.
	cause := e.Err
	var urlErr *url.Error
	if errors.As(cause, &urlErr) {
		cause = urlErr.Err
	}
	if e.Sent {
		return fmt.Sprintf("%s %s: the answer from %s was cut off: %s (%v)", e.Method, e.Path, endpoint, e.fault().reason, cause)
	}
	return fmt.Sprintf("%s %s: no answer from %s: %s (%v)", e.Method, e.Path, endpoint, e.fault().reason, cause)
}

func (e *TransportError) fault() transportFault {
	if e.interrupted {
		return interruptedFault
	}
	return classifyTransport(e.Err)
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

// doList sends req and decodes its answer as a list (see decodeList).
func doList[T any](ctx context.Context, c *Client, req request) ([]T, error) {
	resp, err := c.do(ctx, req)
	if err != nil {
		return nil, err
	}
	return decodeList[T](resp, req)
}

// doOne sends req and decodes its answer as one object (see decodeOne).
func doOne[T any](ctx context.Context, c *Client, req request) (T, error) {
	resp, err := c.do(ctx, req)
	if err != nil {
		var zero T
		return zero, err
	}
	return decodeOne[T](resp, req)
}

// mapAll converts every item; the result is never nil, so an empty list stays an empty list.
func mapAll[W, T any](items []W, conv func(W) T) []T {
	out := make([]T, len(items))
	for i, w := range items {
		out[i] = conv(w)
	}
	return out
}

// backOffBeforeResend waits before sending again a request that is not idempotent, once the API
// was found not to have acted on it: it is then as safe to re-send as an idempotent request, so
// it follows the same retry rules and budget, and is logged the same way. It reports false when
// the request must not be sent again: the policy gives up, the caller's ctx ended, or the wait
// was cut short.
func (c *Client) backOffBeforeResend(ctx context.Context, req request, err error, attempt int, start time.Time) bool {
	replay := req
	replay.idempotent = true
	wait, again := c.retry.decide(replay, err, attempt, c.now().Sub(start))
	if !again || ctx.Err() != nil {
		return false
	}
	c.retried(ctx, RetryLog{Method: req.method, Path: req.path, Attempt: attempt, Wait: wait, Err: err})
	return c.sleep(ctx, wait) == nil
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
