package provider

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
	"sync"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// catalogRegistry hands out one catalog per endpoint and API key, for the provider process's
// lifetime: the catalog changes rarely, and plan-time validation of every server would otherwise
// ask for it again and again.
type catalogRegistry struct {
	mu       sync.Mutex
	catalogs map[string]*catalog
}

func newCatalogRegistry() *catalogRegistry {
	return &catalogRegistry{catalogs: map[string]*catalog{}}
}

func (r *catalogRegistry) get(baseURL, apiKey string, client *flexmetal.Client) *catalog {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + apiKey))
	key := hex.EncodeToString(sum[:])
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.catalogs[key]
	if !ok {
		c = &catalog{client: client, instanceTypes: map[int64]*cached[[]flexmetal.InstanceType]{}}
		r.catalogs[key] = c
	}
	return c
}

// cached is a value fetched at most once successfully; concurrent callers wait for the one
// fetch, and a failed fetch is tried again by the next caller.
type cached[T any] struct {
	mu    sync.Mutex
	done  bool
	value T
}

func (c *cached[T]) get(fetch func() (T, error)) (T, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done {
		return c.value, nil
	}
	v, err := fetch()
	if err != nil {
		return v, err
	}
	c.value, c.done = v, true
	return v, nil
}

// catalog caches locations, instance types per location and operating systems.
type catalog struct {
	client *flexmetal.Client

	locations cached[[]flexmetal.Location]
	oses      cached[[]flexmetal.OperatingSystem]

	mu            sync.Mutex
	instanceTypes map[int64]*cached[[]flexmetal.InstanceType]
}

// Locations returns every location.
func (c *catalog) Locations(ctx context.Context) ([]flexmetal.Location, error) {
	return c.locations.get(func() ([]flexmetal.Location, error) { return c.client.Locations.List(ctx) })
}

// OperatingSystems returns every operating system the API knows.
func (c *catalog) OperatingSystems(ctx context.Context) ([]flexmetal.OperatingSystem, error) {
	return c.oses.get(func() ([]flexmetal.OperatingSystem, error) { return c.client.OperatingSystems.List(ctx) })
}

// InstanceTypes returns the instance types of one location.
func (c *catalog) InstanceTypes(ctx context.Context, locationID int64) ([]flexmetal.InstanceType, error) {
	c.mu.Lock()
	entry, ok := c.instanceTypes[locationID]
	if !ok {
		entry = &cached[[]flexmetal.InstanceType]{}
		c.instanceTypes[locationID] = entry
	}
	c.mu.Unlock()
	return entry.get(func() ([]flexmetal.InstanceType, error) { return c.client.Locations.InstanceTypes(ctx, locationID) })
}

// LocationByName finds a location by its exact name; ok is false when there is none.
func (c *catalog) LocationByName(ctx context.Context, name string) (flexmetal.Location, bool, []string, error) {
	locs, err := c.Locations(ctx)
	if err != nil {
		return flexmetal.Location{}, false, nil, err
	}
	names := make([]string, 0, len(locs))
	for _, l := range locs {
		if l.Name == name {
			return l, true, nil, nil
		}
		names = append(names, l.Name)
	}
	sort.Strings(names)
	return flexmetal.Location{}, false, names, nil
}

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
