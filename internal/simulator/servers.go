package simulator

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"
)

// ServerResponse is the wire form of a FlexMetal server.
type ServerResponse struct {
	UUID          string          `json:"uuid"`
	Name          string          `json:"name"`
	Status        string          `json:"status"`
	StatusMessage string          `json:"statusMessage"`
	Location      LocationRef     `json:"location"`
	InstanceType  InstanceTypeRef `json:"instanceType"`
	OS            OSRef           `json:"os"`
	IPAddresses   []IPAddress     `json:"ipAddresses"`
	Tags          []string        `json:"tags"`
	CreatedAt     int64           `json:"createdAt"`
	DeliveredAt   *int64          `json:"deliveredAt"`
	ReleasedAt    *int64          `json:"releasedAt"`
	ContractID    *string         `json:"contractId"`
}

// LocationRef is the location embedded in a server.
type LocationRef struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// InstanceTypeRef is the instance type embedded in a server; ID is the location-specific one.
type InstanceTypeRef struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// OSRef is the operating system embedded in a server.
type OSRef struct {
	Slug string `json:"slug"`
}

// IPAddress is one address of a server.
type IPAddress struct {
	IPAddress string `json:"ipAddress"`
}

// server is the stored record; its status is derived by stateAt. Whether it fails or gets
// stuck is decided at creation, so changing the patterns later never rewrites history.
type server struct {
	uuid, name        string
	location          Location
	instanceType      InstanceType
	os                OSRequest
	sshKeys           []string
	postInstallScript string
	tags              []string
	contractID        string
	overflow          bool
	// committed reports whether the server occupies a Config.CapacityCommits pool (the one of
	// contractID) rather than on-demand quota.
	committed        bool
	createdAt        time.Time
	ips              []string
	fails, stuck     bool
	pin              *pin
	releaseStartedAt *time.Time
	// reinstalls are the accepted PATCHes, oldest first.
	reinstalls []*reinstall
	// rootPassword is the current installation's, "" unless its os is Windows.
	rootPassword string
}

// create stores a validated request. Caller holds s.mu.
func (s *Simulator) create(req CreateServerRequest, osGiven bool, now time.Time) (*server, error) {
	v, err := s.validateCreate(req, osGiven)
	if err != nil {
		return nil, err
	}
	if err := s.checkAvailable(v.location, v.instanceType); err != nil {
		return nil, err
	}
	pl, err := s.place(v.location, v.instanceType, req.ContractID, req.Overflow, now)
	if err != nil {
		return nil, err
	}
	sv := &server{
		uuid:              s.uuids.next(now),
		name:              req.Name,
		location:          v.location,
		instanceType:      v.instanceType,
		os:                req.OS.clone(),
		sshKeys:           slices.Clone(req.SSHKey),
		postInstallScript: req.PostInstallScript,
		tags:              v.tags,
		overflow:          req.Overflow,
		createdAt:         now,
		ips:               s.allocateIPs(),
		stuck:             s.stuckRE.MatchString(req.Name),
		fails:             s.failRE.MatchString(req.Name),
		contractID:        pl.contractID,
		committed:         pl.committed,
		rootPassword:      s.newRootPassword(req.OS.Slug),
	}
	s.servers[sv.uuid] = sv
	s.registerTags(sv.tags)
	return sv, nil
}

// allocateIPs hands out documentation-range addresses in sequence, so they are never routable:
// an IPv4 address unique for the first 254 servers and an IPv6 address, one /64 per server,
// unique for the first 2^32. i3D.net's own provider tests, which run against the real API,
// expect a delivered server to have an IPv4 and an IPv6 address.
//
// The IPv4 addresses come first. Nothing documents the order: the API's wire format has only
// ipAddress in each entry, no version or type, and its one example is an IPv4 address ("1.2.3.4");
// keeping IPv4 first also leaves ipAddresses[0] what it was before the simulator gave IPv6
// addresses. Clients must not rely on it: they tell the families apart by parsing.
func (s *Simulator) allocateIPs() []string {
	n := s.ipSeq
	s.ipSeq++
	host := n%254 + 1
	return []string{fmt.Sprintf("192.0.2.%d", host), ipv6Address(uint32(n + 1)).String()}
}

// ipv6Address is the address ::1 of the subnet 2001:db8:hi:lo::/64, hi and lo being the two
// halves of subnet, e.g. 2001:db8:0:1::1 for subnet 1.
func ipv6Address(subnet uint32) netip.Addr {
	a := [16]byte{0x20, 0x01, 0x0d, 0xb8, 15: 1}
	binary.BigEndian.PutUint32(a[4:8], subnet)
	return netip.AddrFrom16(a)
}

func (s *Simulator) wire(sv *server, now time.Time) ServerResponse {
	st := s.stateAt(sv, now)
	out := ServerResponse{
		UUID:          sv.uuid,
		Name:          sv.name,
		Status:        st.status,
		StatusMessage: st.message,
		Location:      LocationRef{ID: sv.location.ID, Name: sv.location.Name},
		InstanceType:  InstanceTypeRef{ID: sv.instanceType.ID, Name: sv.instanceType.Name},
		OS:            OSRef{Slug: sv.os.Slug},
		IPAddresses:   []IPAddress{},
		Tags:          append([]string{}, sv.tags...),
		CreatedAt:     sv.createdAt.Unix(),
		DeliveredAt:   unixOrNil(st.deliveredAt),
		ReleasedAt:    unixOrNil(st.releasedAt),
	}
	if st.network {
		for _, ip := range sv.ips {
			out.IPAddresses = append(out.IPAddresses, IPAddress{IPAddress: ip})
		}
	}
	if sv.contractID != "" {
		c := sv.contractID
		out.ContractID = &c
	}
	return out
}

func unixOrNil(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	u := t.Unix()
	return &u
}

// visibleServers returns the servers not yet past retention, by createdAt then uuid, so
// pagination is stable while servers are added. Caller holds s.mu.
func (s *Simulator) visibleServers(now time.Time) []*server {
	out := make([]*server, 0, len(s.servers))
	for _, sv := range s.servers {
		if s.visible(sv, now) {
			out = append(out, sv)
		}
	}
	slices.SortFunc(out, func(a, b *server) int {
		return cmp.Or(a.createdAt.Compare(b.createdAt), strings.Compare(a.uuid, b.uuid))
	})
	return out
}

// lookup treats servers past retention as gone, as the real API does. Caller holds s.mu.
func (s *Simulator) lookup(uuid string, now time.Time) (*server, error) {
	sv, ok := s.servers[uuid]
	if !ok || !s.visible(sv, now) {
		return nil, notFound("Server")
	}
	return sv, nil
}

func (s *Simulator) listServers(c *call) response {
	p, err := s.requestedPage(c)
	if err != nil {
		return errorResponse(err)
	}
	q := c.r.URL.Query()
	status := q.Get("status")
	var tags []string
	for _, t := range q["tag"] {
		if t != "" {
			tags = append(tags, t)
		}
	}
	var matched []ServerResponse
	for _, sv := range s.visibleServers(c.now) {
		w := s.wire(sv, c.now)
		if status != "" && w.Status != status {
			continue
		}
		if !hasAll(w.Tags, tags) {
			continue
		}
		matched = append(matched, w)
	}
	return list(paginate(matched, p))
}

func hasAll(have, want []string) bool {
	for _, t := range want {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}

func (s *Simulator) createServer(c *call) response {
	var req CreateServerRequest
	if err := decodeJSON(c.body, &req, true); err != nil {
		return errorResponse(err)
	}
	sv, err := s.create(req, present(c.body, "os"), c.now)
	if err != nil {
		return errorResponse(err)
	}
	return one(s.wire(sv, c.now))
}

// present reports whether a decoded body had a non-null value for a top-level property,
// which a value-typed field cannot tell.
func present(body []byte, property string) bool {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(body, &fields)
	v, ok := fields[property]
	return ok && string(v) != "null"
}

func (s *Simulator) getServer(c *call, sv *server) response {
	return one(s.wire(sv, c.now))
}

func (s *Simulator) releaseServer(c *call, sv *server) response {
	if err := s.startRelease(sv, c.now); err != nil {
		return errorResponse(err)
	}
	return one(s.wire(sv, c.now))
}

func (s *Simulator) addTag(c *call, sv *server) response {
	tag, err := pathTag(c)
	if err != nil {
		return errorResponse(err)
	}
	if !slices.Contains(sv.tags, tag) {
		if len(sv.tags) >= MaxTags {
			return errorResponse(validationError("tags", "a server has at most %d tags", MaxTags))
		}
		sv.tags = append(sv.tags, tag)
		s.registerTags([]string{tag})
	}
	return one(s.wire(sv, c.now))
}

func (s *Simulator) removeTag(c *call, sv *server) response {
	tag, err := pathTag(c)
	if err != nil {
		return errorResponse(err)
	}
	i := slices.Index(sv.tags, tag)
	if i < 0 {
		return errorResponse(&APIError{Status: http.StatusNotFound, Code: ErrCodeNotFound, Message: "Tag not found on server"})
	}
	sv.tags = slices.Delete(sv.tags, i, i+1)
	return one(s.wire(sv, c.now))
}

// pathTag is the {tag} of a server's tag route, refused unless it is a well-formed tag.
func pathTag(c *call) (string, error) {
	tag := c.params["tag"]
	if !tagPattern.MatchString(tag) {
		return "", validationError("tag", "tag must match %s", tagPattern)
	}
	return tag, nil
}
