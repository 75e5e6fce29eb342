package flexmetal_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"sync"
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

const plansJSON = `[{
  "name": "bm7.std.8",
  "hardwareDetails": {
    "cpu": {"name": "Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz", "baseClock": 3400, "cpuCount": 1, "cpuCores": 8, "totalCores": 8},
    "memory": {"type": "ddr4", "size": 32},
    "disks": [{"type": "ssd", "size": 960}, {"type": "ssd", "size": 960}],
    "networkInterfaces": [{"type": "1 Gbps", "count": 2}],
    "gpu": null
  },
  "locations": [
    {"name": "EU: Rotterdam", "dcCode": "nlrtm1", "availability": "high"},
    {"name": "HK: Hong Kong", "dcCode": "hkhkg1", "availability": "unavailable"}
  ]
}, {
  "name": "bm9.gpu.1",
  "hardwareDetails": {"cpu": {}, "memory": {}, "disks": [], "networkInterfaces": [], "gpu": {"model": "L4", "count": 1}},
  "locations": []
}]`

func TestPlansList_decodesHardwareAndAvailabilityPerLocation(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(plansJSON)))
	plans, err := newClient(t, api.URL).Plans.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(plans) != 2 {
		t.Fatalf("got %d plans, want 2", len(plans))
	}
	p := plans[0]
	want := flexmetal.PlanHardware{
		CPU:               flexmetal.PlanCPU{Name: "Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz", BaseClock: 3400, CPUCount: 1, CPUCores: 8, TotalCores: 8},
		Memory:            flexmetal.PlanMemory{Type: "ddr4", Size: 32},
		Disks:             []flexmetal.PlanDisk{{Type: "ssd", Size: 960}, {Type: "ssd", Size: 960}},
		NetworkInterfaces: []flexmetal.PlanNetworkCount{{Type: "1 Gbps", Count: 2}},
		GPU:               json.RawMessage(`null`),
	}
	if !reflect.DeepEqual(p.Hardware, want) {
		t.Errorf("hardware = %+v, want %+v", p.Hardware, want)
	}
	if p.Hardware.HasGPU() || !plans[1].Hardware.HasGPU() {
		t.Errorf("HasGPU = %v, %v; want false, true", p.Hardware.HasGPU(), plans[1].Hardware.HasGPU())
	}
	if at, ok := p.At("HK: Hong Kong"); !ok || at.Availability != flexmetal.AvailabilityUnavailable || at.DCCode != "hkhkg1" {
		t.Errorf("At(HK) = %+v, %v", at, ok)
	}
	if p.Legacy != nil {
		t.Errorf("Legacy = %v, want nil for a plan read from /plans", p.Legacy)
	}
	if n := rec.countMethod(http.MethodGet, "/v3/flexMetal/plans"); n != 1 || rec.total() != 1 {
		t.Errorf("requests = %v, want one GET /v3/flexMetal/plans", describe(rec.all()))
	}
}

func TestPlansList_fallsBackToDeprecatedEndpointOnceWhenPlansAnswers404(t *testing.T) {
	api, rec := newAPI(t, routes(t, map[string]http.Handler{
		"GET /v3/flexMetal/plans":    scripted(t, statusReply(http.StatusNotFound)),
		"GET /v3/flexMetal/location": scripted(t, okJSON(`[{"id":18,"name":"EU: Rotterdam"},{"id":24,"name":"EU: Montreuil 1"}]`)),
		"GET /v3/flexMetal/location/18/instanceTypes": scripted(t, okJSON(`[
			{"id":129,"locationId":18,"name":"bm7.std.8","sockets":1,"cores":8,"memory":32,"memoryType":"DDR4","storage":960,"storageType":"SSD","generationName":"Coffee Lake"},
			{"id":130,"locationId":18,"name":"bm8.std.32","sockets":2,"cores":32,"memory":128,"memoryType":"DDR4","storage":1920,"storageType":"SSD","generationName":"Rome"}]`)),
		"GET /v3/flexMetal/location/24/instanceTypes": scripted(t, okJSON(`[
			{"id":140,"locationId":24,"name":"bm7.std.8","sockets":1,"cores":8,"memory":32,"memoryType":"DDR4","storage":960,"storageType":"SSD","generationName":"Coffee Lake"}]`)),
	}))
	var mu sync.Mutex
	var warnings []string
	c := newClient(t, api.URL, flexmetal.WithWarningLogger(func(_ context.Context, msg string, _ map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		warnings = append(warnings, msg)
	}))
	for range 3 {
		plans, err := c.Plans.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(plans) != 2 || plans[0].Name != "bm7.std.8" || plans[1].Name != "bm8.std.32" {
			t.Fatalf("plans = %+v, want bm7.std.8 and bm8.std.32", plans)
		}
		bm7 := plans[0]
		if got := []string{bm7.Locations[0].Name, bm7.Locations[1].Name}; !reflect.DeepEqual(got, []string{"EU: Rotterdam", "EU: Montreuil 1"}) {
			t.Errorf("bm7.std.8 locations = %v", got)
		}
		if bm7.Locations[0].Availability != "" {
			t.Errorf("availability = %q, want none from the deprecated endpoint", bm7.Locations[0].Availability)
		}
		if bm7.Legacy["EU: Montreuil 1"].ID != 140 || bm7.Hardware.CPU.TotalCores != 8 || bm7.Hardware.Memory.Size != 32 {
			t.Errorf("bm7.std.8 = %+v, want the deprecated endpoint's values", bm7)
		}
		if plans[1].Hardware.CPU.CPUCount != 2 {
			t.Errorf("bm8.std.32 cpus = %d, want the sockets, 2", plans[1].Hardware.CPU.CPUCount)
		}
	}
	if n := rec.countMethod(http.MethodGet, "/v3/flexMetal/plans"); n != 1 {
		t.Errorf("GET /plans sent %d times, want once: a 404 means the API has none", n)
	}
	if len(warnings) != 1 {
		t.Errorf("warnings = %q, want exactly one", warnings)
	}
}

func TestPlansList_otherErrorsDoNotFallBack(t *testing.T) {
	api, rec := newAPI(t, scripted(t, statusReply(http.StatusForbidden)))
	_, err := newClient(t, api.URL).Plans.List(context.Background())
	var apiErr *flexmetal.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusForbidden {
		t.Fatalf("err = %v, want the 403", err)
	}
	if rec.total() != 1 {
		t.Errorf("requests = %v, want only GET /plans", describe(rec.all()))
	}
}
