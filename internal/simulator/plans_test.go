package simulator

import (
	"net/http"
	"slices"
	"testing"
)

func TestPlans_listEachInstanceTypeOnceWithHardwareAndEveryLocationOfferingIt(t *testing.T) {
	h := newHarness(t, Config{})
	plans := decode[[]Plan](t, h.do(http.MethodGet, "/v3/flexMetal/plans", nil).expect(t, http.StatusOK))
	if len(plans) != len(hardware) {
		t.Fatalf("got %d plans, want one per instance type (%d)", len(plans), len(hardware))
	}
	for _, p := range plans {
		if p.HardwareDetails.CPU.TotalCores != hardware[p.Name].Cores || p.HardwareDetails.Memory.Size != hardware[p.Name].Memory {
			t.Errorf("%s hardware %+v disagrees with the deprecated endpoint's %+v", p.Name, p.HardwareDetails, hardware[p.Name])
		}
		var offering []string
		for _, l := range Locations() {
			if _, ok := defaultCatalog.instanceTypeAt(l.ID, p.Name); ok {
				offering = append(offering, l.Name)
			}
		}
		var got []string
		for _, l := range p.Locations {
			got = append(got, l.Name)
			if l.Availability != DefaultAvailability || l.DCCode == "" {
				t.Errorf("%s at %s: %+v, want dcCode and the default availability", p.Name, l.Name, l)
			}
		}
		if !slices.Equal(got, offering) {
			t.Errorf("%s locations %q, want those offering it %q", p.Name, got, offering)
		}
	}
}

func TestPlans_availabilityFromConfigAndSetAvailability(t *testing.T) {
	h := newHarness(t, Config{Availability: map[QuotaKey]string{
		{InstanceType: InstanceTypeBM7Std8}:                             AvailabilityMedium,
		{Location: LocationHongKong, InstanceType: InstanceTypeBM7Std8}: AvailabilityUnavailable,
	}})
	at := func(location, instanceType string) string {
		t.Helper()
		for _, p := range decode[[]Plan](t, h.do(http.MethodGet, "/v3/flexMetal/plans", nil).expect(t, http.StatusOK)) {
			for _, l := range p.Locations {
				if p.Name == instanceType && l.Name == location {
					return l.Availability
				}
			}
		}
		t.Fatalf("%s not offered at %s", instanceType, location)
		return ""
	}
	if got := at(LocationHongKong, InstanceTypeBM7Std8); got != AvailabilityUnavailable {
		t.Errorf("Hong Kong bm7.std.8 = %q, want its own entry, unavailable", got)
	}
	if got := at(LocationDallas, InstanceTypeBM7Std8); got != AvailabilityMedium {
		t.Errorf("Dallas bm7.std.8 = %q, want the type's entry, medium", got)
	}
	if got := at(LocationRotterdam, InstanceTypeBM8Std32); got != AvailabilityHigh {
		t.Errorf("Rotterdam bm8.std.32 = %q, want the default, high", got)
	}
	if err := h.sim.SetAvailability(LocationRotterdam, InstanceTypeBM8Std32, AvailabilityLow); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.SetAvailability(LocationHongKong, InstanceTypeBM7Std8, ""); err != nil {
		t.Fatal(err)
	}
	if got := at(LocationRotterdam, InstanceTypeBM8Std32); got != AvailabilityLow {
		t.Errorf("after SetAvailability, Rotterdam bm8.std.32 = %q, want low", got)
	}
	if got := at(LocationHongKong, InstanceTypeBM7Std8); got != AvailabilityMedium {
		t.Errorf("after clearing, Hong Kong bm7.std.8 = %q, want the type's entry, medium", got)
	}
	for _, bad := range [][3]string{
		{LocationTokyo, InstanceTypeBM7Std8, AvailabilityLow},  // not offered there
		{"EU: Atlantis", InstanceTypeBM7Std8, AvailabilityLow}, // unknown location
		{LocationRotterdam, InstanceTypeBM7Std8, "scarce"},     // unknown value
	} {
		if err := h.sim.SetAvailability(bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("SetAvailability%q succeeded, want an error", bad)
		}
	}
}

func TestPlans_orderOfUnavailableTypeAnswers422OnInstanceType(t *testing.T) {
	h := newHarness(t, Config{StepDuration: -1})
	if err := h.sim.SetAvailability(LocationRotterdam, InstanceTypeBM7Std8, AvailabilityUnavailable); err != nil {
		t.Fatal(err)
	}
	req := validRequest("web")
	req.Location, req.InstanceType = LocationRotterdam, InstanceTypeBM7Std8
	e := h.do(http.MethodPost, "/v3/flexMetal/servers", req).expect(t, http.StatusUnprocessableEntity).apiError(t)
	if e.ErrorCode != ErrCodeUnavailable || len(e.Errors) != 1 || e.Errors[0].Property != "instanceType" {
		t.Fatalf("error %+v, want ErrCodeUnavailable on instanceType", e)
	}
	// Low capacity still takes orders: only "unavailable" refuses.
	if err := h.sim.SetAvailability(LocationRotterdam, InstanceTypeBM7Std8, AvailabilityLow); err != nil {
		t.Fatal(err)
	}
	h.do(http.MethodPost, "/v3/flexMetal/servers", req).expect(t, http.StatusOK)
}

func TestPlans_noPlansEndpointAnswers404AndKeepsTheDeprecatedOne(t *testing.T) {
	h := newHarness(t, Config{NoPlansEndpoint: true})
	h.do(http.MethodGet, "/v3/flexMetal/plans", nil).expect(t, http.StatusNotFound)
	h.do(http.MethodGet, "/v3/flexMetal/location/18/instanceTypes", nil).expect(t, http.StatusOK)
}
