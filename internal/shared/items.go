package shared

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
)

// ItemsID is the id of a list data source: the hex SHA-256 of the filters it was read with and
// the ids of the items it found. Item order does not count, so an API that lists the same items
// in another order keeps the id; filters are named, so the same items found through different
// filters get different ids.
func ItemsID(filters map[string]string, itemIDs []string) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(filters)) {
		fmt.Fprintf(h, "filter %q %q\n", name, filters[name])
	}
	for _, id := range slices.Sorted(slices.Values(itemIDs)) {
		fmt.Fprintf(h, "item %q\n", id)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// SortedItems prepares API items for a list attribute: sorted by compare, so the output does not
// depend on the API's order or paging, and mapped by toModel. It also returns the item ids a list
// data source's id is built from. The caller's slice is left as it was.
func SortedItems[T, M any](items []T, compare func(a, b T) int, id func(T) string, toModel func(T) M) ([]M, []string) {
	sorted := slices.SortedFunc(slices.Values(items), compare)
	models := make([]M, len(sorted))
	ids := make([]string, len(sorted))
	for i, item := range sorted {
		models[i] = toModel(item)
		ids[i] = id(item)
	}
	return models, ids
}
