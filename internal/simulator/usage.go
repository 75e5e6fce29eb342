package simulator

import (
	"sort"
	"time"
)

// UsageResponse is one server's usage in GET /v3/flexMetal/usage: the time it was billed for
// within the asked period.
type UsageResponse struct {
	Server       ServerResponse `json:"server"`
	StartedAt    string         `json:"startedAt"`
	EndedAt      string         `json:"endedAt"`
	TotalHours   int            `json:"totalHours"`
	TotalMinutes int            `json:"totalMinutes"`
	BandwidthIn  int            `json:"bandwidthIn"`
	// BandwidthOut is in the docs' example but not in the published schema: absent unless
	// SetUsageBandwidth gave the server one.
	BandwidthOut *int `json:"bandwidthOut,omitempty"`
}

// usageBandwidth is what SetUsageBandwidth reports for a server.
type usageBandwidth struct {
	in  int
	out *int
}

// SetUsageBandwidth makes the usage report give the server these bandwidth figures, and
// bandwidthOut only when out is not nil.
func (s *Simulator) SetUsageBandwidth(serverUUID string, in int, out *int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.bandwidth == nil {
		s.bandwidth = map[string]usageBandwidth{}
	}
	s.bandwidth[serverUUID] = usageBandwidth{in: in, out: out}
}

const usageDateLayout = "2006-01-02"

// billingStart is when a server was first delivered, which a reinstall does not move, or nil.
// Caller holds s.mu.
func (s *Simulator) billingStart(sv *server, now time.Time) *time.Time {
	if len(sv.reinstalls) > 0 {
		return sv.reinstalls[0].prevDeliveredAt
	}
	return s.stateAt(sv, now).deliveredAt
}

// usage bills, as the guide says, from deliveredAt until releasedAt, rounding hours up. It
// covers every server ever delivered, past retention too, since billing outlives the server
// list. The period runs from the start of startDate to the end of endDate (UTC), by default
// from the first of the current month to now. Caller holds s.mu.
func (s *Simulator) usage(startDate, endDate string, now time.Time) ([]UsageResponse, error) {
	var v validationErrors
	utc := now.UTC()
	from := time.Date(utc.Year(), utc.Month(), 1, 0, 0, 0, 0, time.UTC)
	to := now
	if startDate != "" {
		d, err := time.Parse(usageDateLayout, startDate)
		if err != nil {
			v.add("startDate", "startDate must be a date as YYYY-MM-DD")
		}
		from = d
	}
	if endDate != "" {
		d, err := time.Parse(usageDateLayout, endDate)
		if err != nil {
			v.add("endDate", "endDate must be a date as YYYY-MM-DD")
		}
		to = d.AddDate(0, 0, 1)
	}
	if len(v) == 0 && !from.Before(to) {
		v.add("endDate", "endDate must not be before startDate")
	}
	if err := v.err(); err != nil {
		return nil, err
	}

	all := make([]*server, 0, len(s.servers))
	for _, sv := range s.servers {
		all = append(all, sv)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].uuid < all[j].uuid })
	var out []UsageResponse
	for _, sv := range all {
		delivered := s.billingStart(sv, now)
		if delivered == nil {
			continue
		}
		end := now
		if rel := s.stateAt(sv, now).releasedAt; rel != nil {
			end = *rel
		}
		begin, end := laterOf(*delivered, from), earlierOf(end, to)
		if !begin.Before(end) {
			continue
		}
		d := end.Sub(begin)
		out = append(out, UsageResponse{
			Server:       s.wire(sv, now),
			StartedAt:    begin.UTC().Format(commandTimeLayout),
			EndedAt:      end.UTC().Format(commandTimeLayout),
			TotalHours:   int((d + time.Hour - 1) / time.Hour),
			TotalMinutes: int((d + time.Minute - 1) / time.Minute),
			BandwidthIn:  s.bandwidth[sv.uuid].in,
			BandwidthOut: s.bandwidth[sv.uuid].out,
		})
	}
	return out, nil
}

func laterOf(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlierOf(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func (s *Simulator) getUsage(c *call) response {
	q := c.r.URL.Query()
	out, err := s.usage(q.Get("startDate"), q.Get("endDate"), c.now)
	if err != nil {
		return errorResponse(err)
	}
	return list(out)
}
