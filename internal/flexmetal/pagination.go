package flexmetal

import (
	"context"
	"fmt"
)

// PageSize is how many items each list request asks for: the API's maximum.
const PageSize = 50

// listAll pages through a list endpoint with RANGED-DATA until a short page, since the API
// returns no total. key identifies items so a page that shifted under concurrent changes does
// not yield the same item twice.
func listAll[T any](ctx context.Context, c *Client, req request, key func(T) string) ([]T, error) {
	var all []T
	seen := map[string]bool{}
	for start := 0; ; start += PageSize {
		req.rangedData = fmt.Sprintf("start=%d,results=%d", start, PageSize)
		page, err := doList[T](ctx, c, req)
		if err != nil {
			return nil, err
		}
		added := 0
		for _, item := range page {
			if k := key(item); !seen[k] {
				seen[k] = true
				all = append(all, item)
				added++
			}
		}
		// A page longer than asked for means the endpoint ignores RANGED-DATA and sent
		// everything: asking for the next page would only repeat it. A full page of items already
		// seen means the same (an endpoint that ignores the header and has exactly PageSize
		// items would otherwise be asked again forever).
		if len(page) < PageSize || len(page) > PageSize || added == 0 {
			return all, nil
		}
	}
}
