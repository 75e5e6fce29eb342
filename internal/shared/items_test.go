package shared

import (
	"regexp"
	"testing"
)

func TestListID(t *testing.T) {
	base := ItemsID(map[string]string{"location": "EU: Rotterdam"}, []string{"129", "130", "131"})
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(base) {
		t.Fatalf("listID = %q, want 64 hex digits", base)
	}
	cases := []struct {
		name    string
		filters map[string]string
		ids     []string
		same    bool
	}{
		{"identical input", map[string]string{"location": "EU: Rotterdam"}, []string{"129", "130", "131"}, true},
		{"items in another order", map[string]string{"location": "EU: Rotterdam"}, []string{"131", "129", "130"}, true},
		{"another filter value", map[string]string{"location": "JP: Tokyo"}, []string{"129", "130", "131"}, false},
		{"filter under another name", map[string]string{"status": "EU: Rotterdam"}, []string{"129", "130", "131"}, false},
		{"no filter", nil, []string{"129", "130", "131"}, false},
		{"one item fewer", map[string]string{"location": "EU: Rotterdam"}, []string{"129", "130"}, false},
		{"ids joined differently", map[string]string{"location": "EU: Rotterdam"}, []string{"12", "9130", "131"}, false},
		{"filter value moved into the ids", map[string]string{"location": ""}, []string{"EU: Rotterdam", "129", "130", "131"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := ItemsID(c.filters, c.ids)
			if (got == base) != c.same {
				t.Errorf("listID(%v, %v) == base is %v, want %v", c.filters, c.ids, got == base, c.same)
			}
			if again := ItemsID(c.filters, c.ids); again != got {
				t.Errorf("listID is not stable: %q then %q", got, again)
			}
		})
	}
	if ItemsID(nil, nil) != ItemsID(map[string]string{}, []string{}) {
		t.Error("nil and empty input should hash alike")
	}
}

func TestListIDDoesNotReorderCallerSlice(t *testing.T) {
	ids := []string{"b", "a"}
	ItemsID(nil, ids)
	if ids[0] != "b" || ids[1] != "a" {
		t.Errorf("listID reordered its argument: %v", ids)
	}
}
