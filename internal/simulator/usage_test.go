package simulator

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

func (h *harness) usage(query string) reply {
	h.t.Helper()
	return h.do(http.MethodGet, "/v3/flexMetal/usage"+query, nil)
}

func TestUsage_BillsFromDeliveryToRelease(t *testing.T) {
	h := newHarness(t, Config{})
	running := h.create(validRequest("running"))
	released := h.create(validRequest("released"))
	h.create(validRequest("stuck-never-delivered"))
	delivery := testStart.Add(9 * testStep)
	h.clock.Set(delivery.Add(30 * time.Minute))
	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+released.UUID, nil).expect(t, http.StatusOK)
	h.clock.Set(delivery.Add(90 * time.Minute))
	// A reinstall delivers the server again but does not restart its billing.
	h.patch(running.UUID, validReinstall("running-2")).expect(t, http.StatusOK)
	h.clock.Advance(3 * testStep)

	got := decode[[]UsageResponse](t, h.usage("").expect(t, http.StatusOK))
	if len(got) != 2 || got[0].Server.UUID != running.UUID || got[1].Server.UUID != released.UUID {
		t.Fatalf("usage lists %+v, want the two delivered servers in creation order", got)
	}
	now := delivery.Add(90*time.Minute + 3*testStep)
	tests := []struct {
		u              UsageResponse
		start, end     time.Time
		hours, minutes int
	}{
		{got[0], delivery, now, 2, 93},
		{got[1], delivery, delivery.Add(30*time.Minute + testRelease), 1, 31},
	}
	for _, tt := range tests {
		u := tt.u
		if u.StartedAt != tt.start.Format(commandTimeLayout) || u.EndedAt != tt.end.Format(commandTimeLayout) ||
			u.TotalHours != tt.hours || u.TotalMinutes != tt.minutes || u.BandwidthIn != 0 {
			t.Fatalf("usage of %s: %+v, want %s to %s, %dh, %dmin", u.Server.Name, u, tt.start, tt.end, tt.hours, tt.minutes)
		}
	}
}

func TestUsage_DateRange(t *testing.T) {
	h := newHarness(t, Config{})
	s := h.create(validRequest("web"))
	h.clock.Set(testStart.Add(48 * time.Hour)) // delivered 2024-10-04 13:09, now 2024-10-06 13:00

	tests := []struct {
		query string
		want  []string // startedAt, endedAt of the single entry; nil for none
		hours int
	}{
		{"?startDate=2024-10-05&endDate=2024-10-05", []string{"2024-10-05T00:00:00+00:00", "2024-10-06T00:00:00+00:00"}, 24},
		{"?startDate=2024-10-01&endDate=2024-10-03", nil, 0},
		{"?startDate=2024-10-06", []string{"2024-10-06T00:00:00+00:00", "2024-10-06T13:00:00+00:00"}, 13},
		{"?endDate=2024-10-04", []string{"2024-10-04T13:09:00+00:00", "2024-10-05T00:00:00+00:00"}, 11},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			got := decode[[]UsageResponse](t, h.usage(tt.query).expect(t, http.StatusOK))
			if tt.want == nil {
				if len(got) != 0 {
					t.Fatalf("got %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Server.UUID != s.UUID || !slices.Equal([]string{got[0].StartedAt, got[0].EndedAt}, tt.want) || got[0].TotalHours != tt.hours {
				t.Fatalf("got %+v, want %v over %dh", got, tt.want, tt.hours)
			}
		})
	}

	for _, tt := range []struct{ query, property string }{
		{"?startDate=05-10-2024", "startDate"},
		{"?endDate=tomorrow", "endDate"},
		{"?startDate=2024-10-05&endDate=2024-10-04", "endDate"},
	} {
		e := h.usage(tt.query).expect(t, http.StatusUnprocessableEntity).apiError(t)
		if e.ErrorCode != ErrCodeValidation || !slices.Equal(properties(e), []string{tt.property}) {
			t.Fatalf("%s: %+v, want a validation error on %s", tt.query, e, tt.property)
		}
	}
}

func TestUsage_BandwidthOutOnlyWhenSet(t *testing.T) {
	h := newHarness(t, Config{})
	with := h.create(validRequest("with-out"))
	without := h.create(validRequest("without-out"))
	h.clock.Set(testStart.Add(9*testStep + time.Hour))
	out := 700
	h.sim.SetUsageBandwidth(with.UUID, 300, &out)
	h.sim.SetUsageBandwidth(without.UUID, 100, nil)

	raw := h.usage("").expect(t, http.StatusOK)
	got := decode[[]map[string]any](t, raw)
	for _, u := range got {
		srv, _ := u["server"].(map[string]any)
		id := srv["uuid"]
		_, hasOut := u["bandwidthOut"]
		switch id {
		case with.UUID:
			if u["bandwidthIn"] != float64(300) || u["bandwidthOut"] != float64(700) {
				t.Errorf("usage of %s = %v, want bandwidthIn 300 and bandwidthOut 700", id, u)
			}
		case without.UUID:
			if u["bandwidthIn"] != float64(100) || hasOut {
				t.Errorf("usage of %s = %v, want bandwidthIn 100 and no bandwidthOut", id, u)
			}
		}
	}
	if len(got) != 2 {
		t.Errorf("usage lists %d servers, want 2", len(got))
	}
}
