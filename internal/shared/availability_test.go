package shared

import (
	"testing"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func TestAvailabilityPlanner_warnsOncePerPairByRule(t *testing.T) {
	plan := flexmetal.Plan{Name: "bm7.std.8", Locations: []flexmetal.PlanLocation{
		{Name: "A", Availability: flexmetal.AvailabilityUnavailable},
		{Name: "B", Availability: flexmetal.AvailabilityLow},
		{Name: "C", Availability: flexmetal.AvailabilityMedium},
		{Name: "D"}, // the deprecated endpoint reports no availability
	}}
	cases := []struct {
		location string
		orders   int
		want     []string // the summary given by each order, "" for none
	}{
		{"A", 3, []string{UnavailableSummary, "", ""}},
		{"B", 3, []string{"", LowCapacitySummary, ""}},
		{"C", 3, []string{"", "", ""}},
		{"D", 2, []string{"", ""}},
		{"nowhere", 1, []string{""}},
	}
	p := NewAvailabilityPlanner()
	for _, c := range cases {
		for i := range c.orders {
			got := ""
			if w := p.Order(plan, c.location); w != nil {
				got = w.Summary
			}
			if got != c.want[i] {
				t.Errorf("order %d at %s: warning %q, want %q", i+1, c.location, got, c.want[i])
			}
		}
	}
}

func TestAvailableElsewhere_bestFirstThenByName(t *testing.T) {
	plan := flexmetal.Plan{Name: "x", Locations: []flexmetal.PlanLocation{
		{Name: "Z", Availability: "low"}, {Name: "Y", Availability: "high"}, {Name: "here", Availability: "unavailable"},
		{Name: "X", Availability: "medium"}, {Name: "W", Availability: "high"}, {Name: "V", Availability: "unavailable"},
	}}
	const want = `It is available now at "W" (high), "Y" (high), "X" (medium), "Z" (low).`
	if got := availableElsewhere(plan, "here"); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if got := availableElsewhere(flexmetal.Plan{Locations: []flexmetal.PlanLocation{{Name: "here"}}}, "here"); got != "It is not available at any other location now." {
		t.Errorf("got %s", got)
	}
}
