package shared

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
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
		return levenshtein(w, strings.ToLower(out[i])) < levenshtein(w, strings.ToLower(out[j]))
	})
	return out
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
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
