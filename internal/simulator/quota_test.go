package simulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func (h *harness) quotaUsage() []QuotaUsageResponse {
	h.t.Helper()
	return decode[[]QuotaUsageResponse](h.t, h.do(http.MethodGet, "/v3/flexMetal/quota/usage", nil).expect(h.t, http.StatusOK))
}

// quotaOf finds one quota entry; contract "" is the on-demand one.
func quotaOf(t *testing.T, all []QuotaUsageResponse, location, instanceType, contract string) QuotaUsage {
	t.Helper()
	for _, l := range all {
		if l.Location.Name != location {
			continue
		}
		for _, q := range l.QuotaUsage {
			if q.InstanceType.Name == instanceType && q.ContractID == contract {
				return q
			}
		}
	}
	t.Fatalf("no quota for %s at %s under contract %q in %+v", instanceType, location, contract, all)
	return QuotaUsage{}
}

func at(location, instanceType, name string) CreateServerRequest {
	r := validRequest(name)
	r.Location, r.InstanceType = location, instanceType
	return r
}

func TestQuota_DefaultsAndShape(t *testing.T) {
	h := newHarness(t, Config{})
	h.create(validRequest("one"))
	all := h.quotaUsage()
	if len(all) != len(Locations()) || all[0].Location != (LocationRef{ID: LocationRotterdamID, Name: LocationRotterdam}) {
		t.Fatalf("quota usage lists %d locations starting %+v, want every location, Rotterdam first", len(all), all[0].Location)
	}
	q := quotaOf(t, all, LocationRotterdam, InstanceTypeBM7Std8, "")
	want := QuotaUsage{InstanceType: InstanceTypeRef{ID: 129, Name: InstanceTypeBM7Std8}, QuotaType: QuotaTypeOnDemand, Quota: DefaultOnDemandQuota, Usage: 1}
	if q != want {
		t.Fatalf("Rotterdam bm7.std.8: %+v, want %+v", q, want)
	}
	if n := len(all[0].QuotaUsage); n != len(InstanceTypesAt(LocationRotterdamID)) {
		t.Fatalf("Rotterdam has %d quotas, want one per instance type", n)
	}
	body := string(h.do(http.MethodGet, "/v3/flexMetal/quota/usage", nil).body)
	if !strings.Contains(body, `"quotaType":"onDemand","contractId":""`) {
		t.Fatalf("on-demand entries must carry an empty contractId: %s", body[:200])
	}
	if got := string(h.do(http.MethodGet, "/v3/flexMetal/capacity/commit", nil).expect(t, http.StatusOK).body); got != "[]\n" {
		t.Fatalf("capacity/commit without commits: %q, want []", got)
	}
}

func TestQuota_OnDemandLimitRefusesOrdersBeyondIt(t *testing.T) {
	h := newHarness(t, Config{OnDemandQuota: map[QuotaKey]int{
		{Location: LocationRotterdam, InstanceType: InstanceTypeBM7Std8}: 2,
		{InstanceType: InstanceTypeBM8Std32}:                             1,
		{InstanceType: InstanceTypeBM9Hmm32}:                             -3,
	}})
	first := h.create(validRequest("one"))
	h.create(validRequest("fail-delivery"))
	r := h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("three")).expect(t, http.StatusUnprocessableEntity)
	e := r.apiError(t)
	if e.ErrorCode != ErrCodeQuotaExceeded || e.ErrorMessage != "On-demand quota exceeded" || !slices.Equal(properties(e), []string{"instanceType"}) ||
		!strings.Contains(e.Errors[0].Message, "for bm7.std.8 at EU: Rotterdam is 2 and 2 are in use") {
		t.Fatalf("got %+v, want the quota named", e)
	}
	// Other locations keep the default; the instance-type-wide entry covers every location.
	h.create(at(LocationDallas, InstanceTypeBM7Std8, "elsewhere"))
	h.create(at(LocationMontreuil, InstanceTypeBM8Std32, "big"))
	h.do(http.MethodPost, "/v3/flexMetal/servers", at(LocationTokyo, InstanceTypeBM8Std32, "big-2")).expect(t, http.StatusOK)
	h.do(http.MethodPost, "/v3/flexMetal/servers", at(LocationMontreuil, InstanceTypeBM8Std32, "big-3")).expect(t, http.StatusUnprocessableEntity)
	h.do(http.MethodPost, "/v3/flexMetal/servers", at(LocationDubai, InstanceTypeBM9Hmm32, "negative-is-zero")).expect(t, http.StatusUnprocessableEntity)
	if _, err := h.sim.AddServer(validRequest("seeded")); !errorsIs(err, ErrQuota) {
		t.Fatalf("AddServer beyond the quota: %v, want ErrQuota", err)
	}

	// A failed server frees its place; so does a released one.
	h.clock.Advance(8 * testStep)
	if q := quotaOf(t, h.quotaUsage(), LocationRotterdam, InstanceTypeBM7Std8, ""); q.Quota != 2 || q.Usage != 1 {
		t.Fatalf("after a failure: %+v, want quota 2 usage 1", q)
	}
	h.create(validRequest("three"))
	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+first.UUID, nil).expect(t, http.StatusOK)
	h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("four")).expect(t, http.StatusUnprocessableEntity)
	h.clock.Advance(testRelease)
	h.create(validRequest("four"))
}

func TestQuota_CommittedCapacityFillsFirst(t *testing.T) {
	h := newHarness(t, Config{
		OnDemandQuota: map[QuotaKey]int{{Location: LocationRotterdam, InstanceType: InstanceTypeBM7Std8}: 1},
		CapacityCommits: []CapacityCommit{
			{ContractID: "POOL-A", Location: LocationRotterdam, InstanceType: InstanceTypeBM7Std8, Capacity: 1},
			{ContractID: "POOL-B", Location: LocationRotterdam, InstanceType: InstanceTypeBM7Std8, Capacity: 1},
			{ContractID: "POOL-C", Location: LocationDubai, InstanceType: InstanceTypeBM9Hmm32, Capacity: 3},
		},
	})
	contract := func(s ServerResponse) string {
		if s.ContractID == nil {
			return ""
		}
		return *s.ContractID
	}

	if got := contract(h.create(validRequest("a"))); got != "POOL-A" {
		t.Fatalf("first order went to %q, want the first pool POOL-A", got)
	}
	named := validRequest("b")
	named.ContractID = ptr("POOL-A")
	e := h.do(http.MethodPost, "/v3/flexMetal/servers", named).expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.ErrorCode != ErrCodeQuotaExceeded || !slices.Equal(properties(e), []string{"overflow"}) {
		t.Fatalf("full named pool without overflow: %+v, want a quota error on overflow", e)
	}
	if got := contract(h.create(validRequest("b"))); got != "POOL-B" {
		t.Fatalf("second order went to %q, want POOL-B", got)
	}
	h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("c")).expect(t, http.StatusUnprocessableEntity)
	named.Name, named.Overflow = "c", true
	if got := h.create(named); contract(got) != "POOL-A" {
		t.Fatalf("overflow order keeps the contract it named, got %q", contract(got))
	}
	overflow := validRequest("d")
	overflow.Overflow = true
	h.do(http.MethodPost, "/v3/flexMetal/servers", overflow).expect(t, http.StatusUnprocessableEntity) // on-demand quota 1 is used by c
	unknown := validRequest("e")
	unknown.ContractID = ptr("POOL-C")
	e = h.do(http.MethodPost, "/v3/flexMetal/servers", unknown).expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.ErrorCode != ErrCodeValidation || !slices.Equal(properties(e), []string{"contractId"}) {
		t.Fatalf("contract from another pair: %+v, want a validation error on contractId", e)
	}

	all := h.quotaUsage()
	for _, tt := range []struct {
		contract     string
		quota, usage int
		typ          string
	}{
		{"", 1, 1, QuotaTypeOnDemand},
		{"POOL-A", 1, 1, QuotaTypeCommit},
		{"POOL-B", 1, 1, QuotaTypeCommit},
	} {
		q := quotaOf(t, all, LocationRotterdam, InstanceTypeBM7Std8, tt.contract)
		if q.Quota != tt.quota || q.Usage != tt.usage || q.QuotaType != tt.typ {
			t.Fatalf("contract %q: %+v, want %s quota %d usage %d", tt.contract, q, tt.typ, tt.quota, tt.usage)
		}
	}

	commits := decode[[]CapacityCommitResponse](t, h.do(http.MethodGet, "/v3/flexMetal/capacity/commit", nil).expect(t, http.StatusOK))
	if len(commits) != 2 || commits[0].Location.Name != LocationRotterdam || commits[0].Location.CountryShortName != "NL" || commits[1].Location.Name != LocationDubai {
		t.Fatalf("capacity commits %+v, want Rotterdam then Dubai with full locations", commits)
	}
	rtm := commits[0].Commits
	if len(rtm) != 1 || rtm[0].InstanceType.ID != 129 || rtm[0].InstanceType.GenerationName != "Coffee Lake" || rtm[0].Capacity != 2 || rtm[0].InUse != 2 {
		t.Fatalf("Rotterdam commits %+v, want bm7.std.8 with capacity 2 (both pools) in use 2", rtm)
	}
	if dxb := commits[1].Commits; dxb[0].Capacity != 3 || dxb[0].InUse != 0 {
		t.Fatalf("Dubai commits %+v", dxb)
	}
	var raw []map[string]json.RawMessage
	_ = json.Unmarshal(h.do(http.MethodGet, "/v3/flexMetal/capacity/commit", nil).body, &raw)
	if _, ok := raw[0]["commits"]; !ok || len(raw[0]) != 2 {
		t.Fatalf("capacity commit keys %v, want location and commits", raw[0])
	}
}

func TestQuota_ContractIDsUncheckedWithoutCommits(t *testing.T) {
	h := newHarness(t, Config{OnDemandQuota: map[QuotaKey]int{{InstanceType: InstanceTypeBM7Std8}: 1}})
	req := validRequest("contracted")
	req.ContractID = ptr("ANY-CONTRACT")
	if got := h.create(req); got.ContractID == nil || *got.ContractID != "ANY-CONTRACT" {
		t.Fatalf("contractId %v, want it stored as sent", got.ContractID)
	}
	// It is on-demand, so the quota of 1 is used.
	h.do(http.MethodPost, "/v3/flexMetal/servers", validRequest("more")).expect(t, http.StatusUnprocessableEntity)
}

func TestParseOnDemandQuota(t *testing.T) {
	tests := []struct {
		spec string
		key  QuotaKey
		n    int
		ok   bool
	}{
		{"EU: Rotterdam/bm7.std.8=2", QuotaKey{LocationRotterdam, InstanceTypeBM7Std8}, 2, true},
		{" US: Ashburn - VA / bm9.hmm.32 = 0", QuotaKey{LocationAshburn, InstanceTypeBM9Hmm32}, 0, true},
		{"bm8.std.32=5", QuotaKey{InstanceType: InstanceTypeBM8Std32}, 5, true},
		{"bm8.std.32", QuotaKey{}, 0, false},
		{"bm8.std.32=-1", QuotaKey{}, 0, false},
		{"bm8.std.32=many", QuotaKey{}, 0, false},
		{"bm1.tiny.1=1", QuotaKey{}, 0, false},
		{"EU: Atlantis/bm7.std.8=1", QuotaKey{}, 0, false},
		{"AE: Dubai/bm7.std.8=1", QuotaKey{}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			key, n, err := ParseOnDemandQuota(tt.spec)
			if (err == nil) != tt.ok || key != tt.key || n != tt.n {
				t.Fatalf("ParseOnDemandQuota(%q) = %+v, %d, %v; want %+v, %d, ok=%v", tt.spec, key, n, err, tt.key, tt.n, tt.ok)
			}
			if err != nil && !strings.Contains(err.Error(), tt.spec) {
				t.Fatalf("error %q does not quote the flag value", err)
			}
		})
	}
}

func TestParseCapacityCommit(t *testing.T) {
	got, err := ParseCapacityCommit("EU: Rotterdam/bm7.std.8=4@MY-CONTRACT-1")
	want := CapacityCommit{ContractID: "MY-CONTRACT-1", Location: LocationRotterdam, InstanceType: InstanceTypeBM7Std8, Capacity: 4}
	if err != nil || got != want {
		t.Fatalf("got %+v, %v; want %+v", got, err, want)
	}
	for _, spec := range []string{
		"EU: Rotterdam/bm7.std.8=4",
		"EU: Rotterdam/bm7.std.8=4@",
		"EU: Rotterdam/bm7.std.8=4@lower-case",
		"bm7.std.8=4@C1",
		"EU: Rotterdam/bm7.std.8=x@C1",
	} {
		if _, err := ParseCapacityCommit(spec); err == nil {
			t.Fatalf("ParseCapacityCommit(%q) succeeded", spec)
		}
	}
}
