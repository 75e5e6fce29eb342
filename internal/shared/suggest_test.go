package shared

import "testing"

func TestChoicesText_namesTheClosestFirst(t *testing.T) {
	cases := []struct {
		want    string
		choices []string
		text    string
	}{
		{"EU: Roterdam", []string{"US: Los Angeles - CA", "EU: Rotterdam", "EU: Montreuil 1"},
			`Did you mean "EU: Rotterdam"? Valid values: "EU: Montreuil 1", "EU: Rotterdam", "US: Los Angeles - CA".`},
		// Case does not count against a choice.
		{"BM7.STD.8", []string{"bm8.std.32", "bm7.std.8"}, `Did you mean "bm7.std.8"? Valid values: "bm7.std.8", "bm8.std.32".`},
		{"x", nil, "The API lists no valid choices for this account."},
	}
	for _, c := range cases {
		if got := ChoicesText(c.want, c.choices); got != c.text {
			t.Errorf("ChoicesText(%q) = %q, want %q", c.want, got, c.text)
		}
	}
}
