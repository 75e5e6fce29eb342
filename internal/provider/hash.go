package provider

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
)

// listID is the id of a list data source: the hex SHA-256 of the filters it was read with and
// the ids of the items it found. Item order does not count, so an API that lists the same items
// in another order keeps the id; filters are named, so the same items found through different
// filters get different ids.
func listID(filters map[string]string, itemIDs []string) string {
	h := sha256.New()
	for _, name := range slices.Sorted(maps.Keys(filters)) {
		fmt.Fprintf(h, "filter %q %q\n", name, filters[name])
	}
	for _, id := range slices.Sorted(slices.Values(itemIDs)) {
		fmt.Fprintf(h, "item %q\n", id)
	}
	return hex.EncodeToString(h.Sum(nil))
}
