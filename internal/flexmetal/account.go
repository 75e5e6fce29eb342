package flexmetal

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Quota types reported by the API.
const (
	// QuotaTypeOnDemand is the generic quota, not tied to a contract.
	QuotaTypeOnDemand = "onDemand"
	// QuotaTypeCommit is capacity committed under a contract (ContractID names it).
	QuotaTypeCommit = "commit"
)

// Quota is how many servers of one instance type the account may run at one location under one
// quota, and how many it runs.
type Quota struct {
	LocationID     int64
	Location       string
	InstanceTypeID int64
	InstanceType   string
	// Type is QuotaTypeOnDemand or QuotaTypeCommit.
	Type string
	// ContractID names the contract of committed capacity; empty for the on-demand quota.
	ContractID string
	Quota      int64
	Usage      int64
}

type idName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

type quotaLocationWire struct {
	Location   idName `json:"location"`
	QuotaUsage []struct {
		InstanceType idName `json:"instanceType"`
		QuotaType    string `json:"quotaType"`
		ContractID   string `json:"contractId"`
		Quota        int64  `json:"quota"`
		Usage        int64  `json:"usage"`
	} `json:"quotaUsage"`
}

// CapacityCommit is capacity committed for one instance type at one location, and how much of it
// is in use.
type CapacityCommit struct {
	Location     Location
	InstanceType InstanceType
	Capacity     int64
	InUse        int64
}

type capacityLocationWire struct {
	Location Location `json:"location"`
	Commits  []struct {
		InstanceType InstanceType `json:"instanceType"`
		Capacity     int64        `json:"capacity"`
		InUse        int64        `json:"inUse"`
	} `json:"commits"`
}

// ServerUsage is the billed usage of one server over a period.
type ServerUsage struct {
	Server    *Server
	StartedAt time.Time
	// EndedAt is the zero time when the API gives none.
	EndedAt      time.Time
	TotalHours   int64
	TotalMinutes int64
	// BandwidthIn is the API's bandwidthIn figure (its documentation calls it the bandwidth out,
	// and gives no unit).
	BandwidthIn int64
	// BandwidthOut is the API's bandwidthOut figure (billable bytes in the docs' example), nil
	// when the API leaves it out, as its published schema does.
	BandwidthOut *int64
}

type serverUsageWire struct {
	Server    serverWire `json:"server"`
	StartedAt apiTime    `json:"startedAt"`
	// EndedAt may be absent or null (see ServerUsage.EndedAt), as may BandwidthIn (the docs
	// say to accept either bandwidth figure missing): the contract tag tells the API contract
	// check (contract.go) so.
	EndedAt      apiTime `json:"endedAt" contract:"optional"`
	TotalHours   int64   `json:"totalHours"`
	TotalMinutes int64   `json:"totalMinutes"`
	BandwidthIn  int64   `json:"bandwidthIn" contract:"optional"`
	BandwidthOut *int64  `json:"bandwidthOut"`
}

// UsageOptions bounds a usage report by day; a zero time leaves that bound to the API.
type UsageOptions struct {
	From time.Time
	To   time.Time
}

// Paths of the account's read endpoints, shared with the API contract check (contract.go).
const (
	quotaUsagePath     = "/v3/flexMetal/quota/usage"
	capacityCommitPath = "/v3/flexMetal/capacity/commit"
	usagePath          = "/v3/flexMetal/usage"
)

func (o UsageOptions) query() url.Values {
	q := url.Values{}
	if !o.From.IsZero() {
		q.Set("startDate", o.From.Format(time.DateOnly))
	}
	if !o.To.IsZero() {
		q.Set("endDate", o.To.Format(time.DateOnly))
	}
	return q
}

// AccountService reads the account's quotas, capacity commits and usage.
type AccountService struct {
	client *Client
}

// Quotas returns every quota line: one per location, instance type and quota (the API groups
// them by location; a location without any line does not appear).
func (s *AccountService) Quotas(ctx context.Context) ([]Quota, error) {
	req := request{method: http.MethodGet, path: quotaUsagePath, idempotent: true}
	locs, err := doList[quotaLocationWire](ctx, s.client, req)
	if err != nil {
		return nil, err
	}
	out := []Quota{}
	for _, loc := range locs {
		for _, q := range loc.QuotaUsage {
			out = append(out, Quota{
				LocationID: loc.Location.ID, Location: loc.Location.Name,
				InstanceTypeID: q.InstanceType.ID, InstanceType: q.InstanceType.Name,
				Type: q.QuotaType, ContractID: q.ContractID, Quota: q.Quota, Usage: q.Usage,
			})
		}
	}
	return out, nil
}

// CapacityCommits returns the committed capacity per location and instance type (the API
// groups them by location; a location without commits does not appear).
func (s *AccountService) CapacityCommits(ctx context.Context) ([]CapacityCommit, error) {
	req := request{method: http.MethodGet, path: capacityCommitPath, idempotent: true}
	locs, err := doList[capacityLocationWire](ctx, s.client, req)
	if err != nil {
		return nil, err
	}
	out := []CapacityCommit{}
	for _, loc := range locs {
		for _, c := range loc.Commits {
			out = append(out, CapacityCommit{Location: loc.Location, InstanceType: c.InstanceType, Capacity: c.Capacity, InUse: c.InUse})
		}
	}
	return out, nil
}

// Usage returns the usage of every server within the period, as the API computes it.
func (s *AccountService) Usage(ctx context.Context, opts UsageOptions) ([]ServerUsage, error) {
	req := request{method: http.MethodGet, path: usagePath, query: opts.query(), idempotent: true}
	wires, err := doList[serverUsageWire](ctx, s.client, req)
	if err != nil {
		return nil, err
	}
	return mapAll(wires, func(w serverUsageWire) ServerUsage {
		return ServerUsage{
			Server: w.Server.toServer(), StartedAt: w.StartedAt.Time, EndedAt: w.EndedAt.Time,
			TotalHours: w.TotalHours, TotalMinutes: w.TotalMinutes, BandwidthIn: w.BandwidthIn, BandwidthOut: w.BandwidthOut,
		}
	}), nil
}

// Tag is an account-wide server tag and how many resources carry it.
type Tag struct {
	Name string
	// Resources is how many resources of any type carry the tag.
	Resources int64
	// Servers is how many FlexMetal servers carry the tag.
	Servers int64
}

type tagWire struct {
	Tag       string `json:"tag"`
	Resources struct {
		Count            int64 `json:"count"`
		FlexMetalServers struct {
			Count int64 `json:"count"`
		} `json:"flexMetalServers"`
	} `json:"resources"`
}

func (w tagWire) toTag() *Tag {
	return &Tag{Name: w.Tag, Resources: w.Resources.Count, Servers: w.Resources.FlexMetalServers.Count}
}

// tagBody is what creating or renaming a tag sends: the resource counts are read-only.
type tagBody struct {
	Tag string `json:"tag"`
}

// TagsService manages the account's tags.
type TagsService struct {
	client *Client
}

const tagsPath = "/v3/flexMetal/tags"

// tagPath addresses one tag. A "/" cannot be sent within a path segment, so such names are
// refused rather than sent to another endpoint.
func tagPath(name string) (string, error) {
	if name == "" {
		return "", errors.New("tag name must not be empty")
	}
	if strings.Contains(name, "/") {
		return "", errors.New(`tag name must not contain "/"`)
	}
	return tagsPath + "/" + name, nil
}

// List returns every tag, paging through the whole result.
func (s *TagsService) List(ctx context.Context) ([]*Tag, error) {
	req := request{method: http.MethodGet, path: tagsPath, idempotent: true}
	wires, err := listAll(ctx, s.client, req, func(w tagWire) string { return w.Tag })
	if err != nil {
		return nil, err
	}
	return mapAll(wires, tagWire.toTag), nil
}

// Get returns one tag; a missing tag is an *APIError for which IsNotFound is true.
func (s *TagsService) Get(ctx context.Context, name string) (*Tag, error) {
	path, err := tagPath(name)
	if err != nil {
		return nil, err
	}
	w, err := doOne[tagWire](ctx, s.client, request{method: http.MethodGet, path: path, idempotent: true})
	if err != nil {
		return nil, err
	}
	return w.toTag(), nil
}

// Create adds a tag. The API refuses an existing name (IsValidation or IsConflict). When the
// answer is lost, the tag is looked up: found, the create is reported as done; otherwise the
// original error is returned and nothing is re-sent.
func (s *TagsService) Create(ctx context.Context, name string) (*Tag, error) {
	if _, err := tagPath(name); err != nil {
		return nil, err
	}
	req := request{method: http.MethodPost, path: tagsPath, body: tagBody{Tag: name}}
	return s.write(ctx, req, name)
}

// Rename gives a tag a new name, on every server that carries it. An existing new name is an
// *APIError for which IsConflict is true. A lost answer is resolved like Create's, by looking up
// the new name.
func (s *TagsService) Rename(ctx context.Context, name, newName string) (*Tag, error) {
	path, err := tagPath(name)
	if err != nil {
		return nil, err
	}
	if _, err := tagPath(newName); err != nil {
		return nil, err
	}
	req := request{method: http.MethodPut, path: path, body: tagBody{Tag: newName}}
	return s.write(ctx, req, newName)
}

// write sends a create or rename, which is not re-sent once it may have reached the API, and
// resolves a lost answer by looking up the name the tag should now have.
func (s *TagsService) write(ctx context.Context, req request, name string) (*Tag, error) {
	defer s.client.watch.invalidate()
	ws, err := doList[tagWire](ctx, s.client, req)
	if err == nil {
		if len(ws) > 0 && ws[0].Tag != "" {
			return ws[0].toTag(), nil
		}
		// An empty answer to a successful write: read the tag instead, or at least name it.
		if tag, getErr := s.Get(ctx, name); getErr == nil {
			return tag, nil
		}
		return &Tag{Name: name}, nil
	}
	if !ambiguous(err) {
		return nil, err
	}
	if tag, getErr := s.Get(ctx, name); getErr == nil {
		return tag, nil
	}
	return nil, err
}

// Delete removes a tag from the account and from every server that carries it. A missing tag is
// an *APIError for which IsNotFound is true (also when a retried delete finds its first attempt
// already succeeded): callers deleting may take it as success.
func (s *TagsService) Delete(ctx context.Context, name string) error {
	path, err := tagPath(name)
	if err != nil {
		return err
	}
	defer s.client.watch.invalidate()
	_, err = s.client.do(ctx, request{method: http.MethodDelete, path: path, idempotent: true})
	return err
}

// IsConflict reports whether err is an API 409 (a tag rename to a name that exists, say).
func IsConflict(err error) bool { return hasStatus(err, http.StatusConflict) }
