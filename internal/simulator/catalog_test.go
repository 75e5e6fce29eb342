package simulator

import (
	"net/http"
	"testing"
)

func TestCatalog_Locations(t *testing.T) {
	h := newHarness(t, Config{})
	locs := decode[[]Location](t, h.do(http.MethodGet, "/v3/flexMetal/location", nil).expect(t, http.StatusOK))
	byName := map[string]Location{}
	ids := map[int]bool{}
	for _, l := range locs {
		byName[l.Name] = l
		if ids[l.ID] {
			t.Fatalf("duplicate location id %d", l.ID)
		}
		ids[l.ID] = true
	}
	want := Location{ID: 18, Name: LocationRotterdam, ShortName: "rtm", DisplayName: "Rotterdam", CountryID: 150, CountryName: "Netherlands", CountryShortName: "NL"}
	if byName[LocationRotterdam] != want {
		t.Fatalf("Rotterdam is %+v, want %+v", byName[LocationRotterdam], want)
	}
	for _, n := range []string{LocationMontreuil, LocationAshburn, LocationDallas, LocationTokyo, LocationSaoPaulo, LocationDubai} {
		if _, ok := byName[n]; !ok {
			t.Fatalf("location %q missing", n)
		}
	}
	if byName[LocationMontreuil].CountryShortName != "FR" {
		t.Fatalf("Montreuil country %q", byName[LocationMontreuil].CountryShortName)
	}
}

func TestCatalog_InstanceTypesPerLocation(t *testing.T) {
	h := newHarness(t, Config{})
	rtm := decode[[]InstanceType](t, h.do(http.MethodGet, "/v3/flexMetal/location/18/instanceTypes", nil).expect(t, http.StatusOK))
	if len(rtm) != 3 {
		t.Fatalf("Rotterdam has %d instance types, want 3", len(rtm))
	}
	want := InstanceType{ID: 129, LocationID: 18, Name: InstanceTypeBM7Std8, Sockets: 1, Cores: 8, Memory: 32, MemoryType: "DDR4", Storage: 960, StorageType: "SSD", GenerationName: "Coffee Lake"}
	if rtm[0] != want {
		t.Fatalf("got %+v, want %+v", rtm[0], want)
	}
	pairIDs := map[int]bool{}
	fewer := false
	for _, l := range Locations() {
		types := decode[[]InstanceType](t, h.do(http.MethodGet, "/v3/flexMetal/location/"+itoa(l.ID)+"/instanceTypes", nil).expect(t, http.StatusOK))
		if len(types) == 0 {
			t.Fatalf("location %q has no instance types", l.Name)
		}
		if len(InstanceTypesAt(l.ID)) != len(types) {
			t.Fatalf("InstanceTypesAt(%d) disagrees with the endpoint", l.ID)
		}
		fewer = fewer || len(types) < 3
		for _, it := range types {
			if pairIDs[it.ID] || it.LocationID != l.ID {
				t.Fatalf("instance type %+v: id reused or wrong location", it)
			}
			pairIDs[it.ID] = true
		}
	}
	if !fewer {
		t.Fatal("every location offers every instance type; availability should vary")
	}
	for _, bad := range []string{"9999", "abc"} {
		e := h.do(http.MethodGet, "/v3/flexMetal/location/"+bad+"/instanceTypes", nil).expect(t, http.StatusNotFound).apiError(t)
		if e.ErrorCode != ErrCodeNotFound {
			t.Fatalf("errorCode %d", e.ErrorCode)
		}
	}
}

func TestCatalog_OperatingSystems(t *testing.T) {
	h := newHarness(t, Config{})
	oses := decode[[]OperatingSystem](t, h.do(http.MethodGet, "/v3/operatingsystem", nil).expect(t, http.StatusOK))
	if len(oses) != len(OperatingSystems()) {
		t.Fatalf("endpoint lists %d systems, OperatingSystems() %d", len(oses), len(OperatingSystems()))
	}
	bySlug := map[string]OperatingSystem{}
	for _, o := range oses {
		bySlug[o.Slug] = o
	}
	for _, slug := range []string{OSUbuntu2204, OSUbuntu2404, OSDebian12, OSTalosOmni184, OSTalosOmni1116, OSTalosOmni1123, OSCustomIPXE} {
		if o := bySlug[slug]; o.Active != 1 || o.AvailableForFlexMetal != 1 {
			t.Fatalf("%s should be usable: %+v", slug, o)
		}
	}
	if bySlug[OSCentOS7].Active != 0 {
		t.Fatal("centos-7 should be inactive")
	}
	if w := bySlug[OSWindows2022]; w.AvailableForFlexMetal != 0 || w.OSGroup != 1 {
		t.Fatalf("windows-2022 is %+v", w)
	}
}
