package shared

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"
)

// ChoicesText names the closest valid choice and lists the others.
func ChoicesText(want string, choices []string) string {
	if len(choices) == 0 {
		return "The API lists no valid choices for this account."
	}
	ordered := suggest(want, choices)
	rest := append([]string{}, ordered...)
	sort.Strings(rest)
	return fmt.Sprintf("Did you mean %q? Valid values: %s.", ordered[0], QuoteAll(rest))
}

// QuoteAll renders values as a comma-separated list of Go-quoted strings, for messages.
func QuoteAll(values []string) string { return joinEach(values, strconv.Quote) }

// suggest orders choices with the closest to want first, so an error can name the likely fix.
func suggest(want string, choices []string) []string {
	out := append([]string{}, choices...)
	w := strings.ToLower(want)
	sort.SliceStable(out, func(i, j int) bool {
		return levenshtein.Distance(w, strings.ToLower(out[i]), nil) < levenshtein.Distance(w, strings.ToLower(out[j]), nil)
	})
	return out
}

// QuoteAllMarkdown renders values as a comma-separated list of code spans.
func QuoteAllMarkdown(values []string) string {
	return joinEach(values, func(v string) string { return "`" + v + "`" })
}

func joinEach(values []string, format func(string) string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = format(v)
	}
	return strings.Join(q, ", ")
}
