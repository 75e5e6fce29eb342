package simulator

import (
	"strconv"
	"strings"
)

// RangedDataHeader is the request header list endpoints read their page from, in the form
// "start=N,results=M".
const RangedDataHeader = "RANGED-DATA"

// page is a window over a list, already clamped to the configured maximum.
type page struct {
	start, results int
}

// parseRangedData reads the header strictly: a client sending a header the real API would not
// understand should find out here rather than silently get the default page. Either key may
// be omitted; results above the maximum are capped, not refused, as the real API documents a
// maximum rather than an error.
func parseRangedData(header string, defaultSize, maxSize int) (page, error) {
	p := page{start: 0, results: defaultSize}
	header = strings.TrimSpace(header)
	if header == "" {
		return p, nil
	}
	seen := map[string]bool{}
	for part := range strings.SplitSeq(header, ",") {
		key, value, ok := strings.Cut(part, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		value = strings.TrimSpace(value)
		if !ok || seen[key] {
			return page{}, malformedRange(header)
		}
		seen[key] = true
		n, err := strconv.Atoi(value)
		if err != nil {
			return page{}, malformedRange(header)
		}
		switch key {
		case "start":
			if n < 0 {
				return page{}, malformedRange(header)
			}
			p.start = n
		case "results":
			if n < 1 {
				return page{}, malformedRange(header)
			}
			p.results = n
		default:
			return page{}, malformedRange(header)
		}
	}
	p.results = min(p.results, maxSize)
	return p, nil
}

// requestedPage is the page a list request asks for, within the configured page sizes.
func (s *Simulator) requestedPage(c *call) (page, error) {
	return parseRangedData(c.r.Header.Get(RangedDataHeader), s.cfg.DefaultPageSize, s.cfg.MaxPageSize)
}

func malformedRange(header string) error {
	return badRequest("Malformed RANGED-DATA header", ErrorDetail{
		Property: RangedDataHeader,
		Message:  "expected start=N,results=M with N >= 0 and M >= 1, got " + strconv.Quote(header),
	})
}

// paginate returns the window of items; a start past the end yields an empty page, which is
// how a client paging without a total learns it is done.
func paginate[T any](items []T, p page) []T {
	if p.start >= len(items) {
		return []T{}
	}
	end := min(p.start+p.results, len(items))
	return items[p.start:end]
}
