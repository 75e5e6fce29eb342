package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

// TestValidateAgainstCatalog_readsLocationsPlansAndOSesInOneRoundTrip answers no catalog request
// until all three are in flight: a plan that read them one after another would never finish, and
// the test fails when its deadline passes instead. The deprecated endpoint is never asked.
func TestValidateAgainstCatalog_readsLocationsPlansAndOSesInOneRoundTrip(t *testing.T) {
	answers := map[string]string{
		"/v3/flexMetal/location": `[{"id":18,"name":"EU: Rotterdam"}]`,
		"/v3/flexMetal/plans":    `[{"name":"bm7.std.8","hardwareDetails":{},"locations":[{"name":"EU: Rotterdam","availability":"high"}]}]`,
		"/v3/operatingsystem":    `[{"id":302,"slug":"ubuntu-2404-lts","osGroup":2,"active":1,"availableForFlexMetal":1}]`,
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	arrived := map[string]bool{}
	allIn := make(chan struct{})
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.URL.Path]
		if !ok {
			t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
			w.WriteHeader(http.StatusNotFound)
			return
		}
		mu.Lock()
		arrived[r.URL.Path] = true
		if len(arrived) == len(answers) {
			close(allIn)
		}
		mu.Unlock()
		select {
		case <-allIn:
		case <-ctx.Done():
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(body))
	}))
	defer api.Close()
	client, err := flexmetal.NewClient(flexmetal.WithBaseURL(api.URL), flexmetal.WithAPIKey("k"),
		flexmetal.WithRetryPolicy(flexmetal.RetryPolicy{MaxRetries: 0}))
	if err != nil {
		t.Fatal(err)
	}
	r := &serverResource{data: &shared.ProviderData{
		Client:       client,
		Catalog:      shared.NewCatalogRegistry().Get(api.URL, "k", client),
		Availability: shared.NewAvailabilityPlanner(),
		Reports:      shared.NewRunReports(),
	}}
	plan := serverModel{
		Location:     types.StringValue("EU: Rotterdam"),
		InstanceType: types.StringValue("bm7.std.8"),
		OS:           osValue(t, "ubuntu-2404-lts", nil, nil, types.StringNull()),
		SSHKeys:      stringList(t, simulator.ExamplePublicKeyEd25519),
	}
	var diags diag.Diagnostics
	r.validateAgainstCatalog(ctx, plan, nil, true, &diags)
	if ctx.Err() != nil {
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("the catalog requests were not all in flight at once: only %v arrived", arrived)
	}
	if len(diags) != 0 {
		t.Fatalf("diagnostics %v, want none", diags)
	}
}
