package flexmetal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// Server statuses reported by the API, in delivery order, then the release path.
const (
	StatusCreated            = "created"
	StatusDiscovering        = "discovering"
	StatusDiscovered         = "discovered"
	StatusAllocating         = "allocating"
	StatusAllocated          = "allocated"
	StatusConfiguringNetwork = "configuring_network"
	StatusNetworkConfigured  = "network_configured"
	StatusProvisioning       = "provisioning"
	StatusProvisioned        = "provisioned"
	StatusDelivered          = "delivered"
	StatusFailed             = "failed"
	StatusReleasing          = "releasing"
	StatusReleased           = "released"
)

// Server is a FlexMetal bare-metal server as the API reports it.
type Server struct {
	UUID           string
	Name           string
	Status         string
	StatusMessage  string
	LocationID     int64
	Location       string
	InstanceTypeID int64
	InstanceType   string
	OSSlug         string
	IPAddresses    []string
	Tags           []string
	CreatedAt      time.Time
	DeliveredAt    *time.Time
	ReleasedAt     *time.Time
	ContractID     string
}

type serverWire struct {
	UUID          string `json:"uuid"`
	Name          string `json:"name"`
	Status        string `json:"status"`
	StatusMessage string `json:"statusMessage"`
	Location      struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"location"`
	InstanceType struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"instanceType"`
	OS struct {
		Slug string `json:"slug"`
	} `json:"os"`
	IPAddresses []struct {
		IPAddress string `json:"ipAddress"`
	} `json:"ipAddresses"`
	Tags        []string `json:"tags"`
	CreatedAt   *int64   `json:"createdAt"`
	DeliveredAt *int64   `json:"deliveredAt"`
	ReleasedAt  *int64   `json:"releasedAt"`
	ContractID  *string  `json:"contractId"`
}

func (w serverWire) toServer() *Server {
	s := &Server{
		UUID:           w.UUID,
		Name:           w.Name,
		Status:         w.Status,
		StatusMessage:  w.StatusMessage,
		LocationID:     w.Location.ID,
		Location:       w.Location.Name,
		InstanceTypeID: w.InstanceType.ID,
		InstanceType:   w.InstanceType.Name,
		OSSlug:         w.OS.Slug,
		Tags:           append([]string{}, w.Tags...),
		IPAddresses:    []string{},
		DeliveredAt:    unixPtr(w.DeliveredAt),
		ReleasedAt:     unixPtr(w.ReleasedAt),
	}
	if w.CreatedAt != nil {
		s.CreatedAt = time.Unix(*w.CreatedAt, 0).UTC()
	}
	for _, ip := range w.IPAddresses {
		if ip.IPAddress != "" {
			s.IPAddresses = append(s.IPAddresses, ip.IPAddress)
		}
	}
	if w.ContractID != nil {
		s.ContractID = *w.ContractID
	}
	return s
}

func unixPtr(v *int64) *time.Time {
	if v == nil || *v == 0 {
		return nil
	}
	t := time.Unix(*v, 0).UTC()
	return &t
}

// KernelParam is one kernel command-line parameter for the OS installer's PXE stage.
type KernelParam struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Partition is one custom disk partition; Size is in MB, -1 meaning the rest of the disk.
type Partition struct {
	Target     string `json:"target"`
	Filesystem string `json:"filesystem"`
	Size       int64  `json:"size"`
}

// OSRequest selects and customizes the operating system of a new server.
type OSRequest struct {
	Slug          string        `json:"slug"`
	KernelParams  []KernelParam `json:"kernelParams,omitempty"`
	Partitions    []Partition   `json:"partitions,omitempty"`
	IPXEScriptURL string        `json:"ipxeScriptUrl,omitempty"`
}

// CreateServerRequest is the body of a server order.
type CreateServerRequest struct {
	Name              string    `json:"name"`
	Location          string    `json:"location"`
	InstanceType      string    `json:"instanceType"`
	OS                OSRequest `json:"os"`
	SSHKeys           []string  `json:"sshKey"`
	PostInstallScript string    `json:"postInstallScript,omitempty"`
	Tags              []string  `json:"tags,omitempty"`
	ContractID        string    `json:"contractId,omitempty"`
	Overflow          bool      `json:"overflow,omitempty"`
	// CreationTag, when set, is added to the server's tags so that a create whose answer was
	// lost can be found again instead of ordering a second server. Callers remove it afterwards.
	CreationTag string `json:"-"`
}

// ListServersOptions filters a server list; the API returns servers carrying all Tags.
type ListServersOptions struct {
	Status string
	Tags   []string
}

// ServersService manages FlexMetal servers.
type ServersService struct {
	client *Client
}

const serversPath = "/v3/flexMetal/servers"

func serverPath(uuid string) string { return serversPath + "/" + uuid }

// Get returns one server; a missing server is an *APIError for which IsNotFound is true.
func (s *ServersService) Get(ctx context.Context, uuid string) (*Server, error) {
	if uuid == "" {
		return nil, errors.New("server UUID must not be empty")
	}
	w, err := doOne[serverWire](ctx, s.client, request{method: http.MethodGet, path: serverPath(uuid), idempotent: true})
	if err != nil {
		return nil, err
	}
	return w.toServer(), nil
}

// Refresh returns a server's current state like Get, but when many refreshes arrive together
// (a plan over a fleet) they share paged list requests. A server missing from the shared list is
// confirmed with a GET.
func (s *ServersService) Refresh(ctx context.Context, uuid string) (*Server, error) {
	if uuid == "" {
		return nil, errors.New("server UUID must not be empty")
	}
	return s.client.watch.refresh(ctx, uuid)
}

// List returns every server matching opts, paging through the whole result.
func (s *ServersService) List(ctx context.Context, opts ListServersOptions) ([]*Server, error) {
	q := url.Values{}
	if opts.Status != "" {
		q.Set("status", opts.Status)
	}
	for _, t := range opts.Tags {
		q.Add("tag", t)
	}
	req := request{method: http.MethodGet, path: serversPath, query: q, idempotent: true}
	wires, err := listAll(ctx, s.client, req, func(w serverWire) string { return w.UUID })
	if err != nil {
		return nil, err
	}
	return mapAll(wires, serverWire.toServer), nil
}

// Create orders a server. It is never re-sent when the API may have acted, unless the request
// carries a CreationTag: then a lost answer is resolved by looking the server up by that tag,
// and the order is repeated only when no server carries it.
//
// An order that may have reached the API is settled even when ctx ends meanwhile: its answer,
// or the lookup by creation tag, is awaited for up to the settle timeout (WithSettleTimeout),
// and a server the API created is returned with a nil error. Nothing is sent once ctx has
// ended.
func (s *ServersService) Create(ctx context.Context, in CreateServerRequest) (*Server, error) {
	body := in
	if in.CreationTag != "" {
		body.Tags = append(append([]string{}, in.Tags...), in.CreationTag)
	}
	req := request{method: http.MethodPost, path: serversPath, body: body}
	defer s.client.watch.invalidate()
	st := s.client.settle(ctx)
	defer st.stop()
	start := s.client.now()
	for attempt := 1; ; attempt++ {
		server, err := s.createOnce(ctx, st, req)
		if err == nil || in.CreationTag == "" || !ambiguous(err) {
			return server, err
		}
		found, lookupErr := s.lookUp(st, in.CreationTag)
		if lookupErr != nil {
			return nil, &AmbiguousCreateError{CreationTag: in.CreationTag, Err: err, LookupErr: lookupErr}
		}
		if found != nil {
			return found, nil
		}
		// No server carries the tag, so ordering again is as safe as an idempotent request, and
		// as worthwhile: not after a failure that cannot heal, nor once the caller gave up.
		if !s.client.backOffBeforeResend(ctx, req, err, attempt, start) {
			return nil, err
		}
		// Look once more before ordering again: a list that lags behind a create that did happen
		// must not turn into a second server.
		if found, lookupErr = s.lookUp(st, in.CreationTag); lookupErr != nil {
			return nil, &AmbiguousCreateError{CreationTag: in.CreationTag, Err: err, LookupErr: lookupErr}
		}
		if found != nil {
			return found, nil
		}
	}
}

func (s *ServersService) createOnce(ctx context.Context, st *settlement, req request) (*Server, error) {
	sendCtx, req, done := st.order(req)
	defer done()
	resp, err := s.client.doDetached(ctx, sendCtx, req)
	if err != nil {
		return nil, err
	}
	w, err := decodeOne[serverWire](resp, req)
	if err != nil {
		return nil, err
	}
	if w.UUID == "" {
		return nil, &ResponseError{Method: req.method, Path: req.path, Err: errors.New("the created server has no uuid")}
	}
	return w.toServer(), nil
}

// lookUp finds the server a lost order created, on the settle context: an interruption of the
// caller leaves it the settle window.
func (s *ServersService) lookUp(st *settlement, tag string) (*Server, error) {
	ctx, done := st.lookingUp()
	defer done()
	found, err := s.findByTag(ctx, tag)
	if err != nil {
		if closed := st.windowClosed(); closed != nil {
			return nil, fmt.Errorf("%w (%w)", err, closed)
		}
	}
	return found, err
}

func (s *ServersService) findByTag(ctx context.Context, tag string) (*Server, error) {
	servers, err := s.List(ctx, ListServersOptions{Tags: []string{tag}})
	if err != nil {
		return nil, err
	}
	var found *Server
	for _, srv := range servers {
		if found == nil || srv.CreatedAt.Before(found.CreatedAt) {
			found = srv
		}
	}
	return found, nil
}

// ambiguous reports whether a failed create may nevertheless have ordered a server.
func ambiguous(err error) bool {
	var tErr *TransportError
	if errors.As(err, &tErr) {
		return !neverSent(tErr)
	}
	var rErr *ResponseError
	if errors.As(err, &rErr) {
		return true
	}
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode >= 500 && apiErr.StatusCode != http.StatusServiceUnavailable
	}
	return false
}

// AmbiguousCreateError means a create's answer was lost and the server could not be looked up
// afterwards: a server carrying CreationTag may exist.
type AmbiguousCreateError struct {
	CreationTag string
	Err         error
	LookupErr   error
}

func (e *AmbiguousCreateError) Error() string {
	return fmt.Sprintf("%v; the server may have been created: looking for servers tagged %q failed: %v", e.Err, e.CreationTag, e.LookupErr)
}

func (e *AmbiguousCreateError) Unwrap() error { return e.Err }

// Release starts releasing a server (billing stops once it is released). The API's answer
// may be empty; then the returned server is nil.
func (s *ServersService) Release(ctx context.Context, uuid string) (*Server, error) {
	if uuid == "" {
		return nil, errors.New("server UUID must not be empty")
	}
	req := request{method: http.MethodDelete, path: serverPath(uuid), idempotent: true}
	return s.optionalServer(ctx, req)
}

// AddTag adds one tag to a server.
func (s *ServersService) AddTag(ctx context.Context, uuid, tag string) (*Server, error) {
	if uuid == "" || tag == "" {
		return nil, errors.New("server UUID and tag must not be empty")
	}
	req := request{method: http.MethodPost, path: serverPath(uuid) + "/tag/" + tag, idempotent: true}
	return s.optionalServer(ctx, req)
}

// RemoveTag removes one tag from a server.
func (s *ServersService) RemoveTag(ctx context.Context, uuid, tag string) (*Server, error) {
	if uuid == "" || tag == "" {
		return nil, errors.New("server UUID and tag must not be empty")
	}
	req := request{method: http.MethodDelete, path: serverPath(uuid) + "/tag/" + tag, idempotent: true}
	return s.optionalServer(ctx, req)
}

func (s *ServersService) optionalServer(ctx context.Context, req request) (*Server, error) {
	defer s.client.watch.invalidate()
	ws, err := doList[serverWire](ctx, s.client, req)
	if err != nil || len(ws) == 0 {
		return nil, err
	}
	return ws[0].toServer(), nil
}
