package shared

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"sync"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
)

// CatalogRegistry hands out one catalog per endpoint and API key, for the provider process's
// lifetime: the catalog changes rarely, and plan-time validation of every server would otherwise
// ask for it again and again.
type CatalogRegistry struct {
	mu       sync.Mutex
	catalogs map[string]*Catalog
}

func NewCatalogRegistry() *CatalogRegistry {
	return &CatalogRegistry{catalogs: map[string]*Catalog{}}
}

func (r *CatalogRegistry) Get(baseURL, apiKey string, client *flexmetal.Client) *Catalog {
	sum := sha256.Sum256([]byte(baseURL + "\x00" + apiKey))
	key := hex.EncodeToString(sum[:])
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.catalogs[key]
	if !ok {
		c = &Catalog{client: client}
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

// Catalog caches locations, plans (instance types with their availability per location) and
// operating systems. Availability is live, but a plan judges it once: it is read with the rest.
type Catalog struct {
	client *flexmetal.Client

	locations cached[[]flexmetal.Location]
	plans     cached[[]flexmetal.Plan]
	oses      cached[[]flexmetal.OperatingSystem]
}

// Locations returns every location.
func (c *Catalog) Locations(ctx context.Context) ([]flexmetal.Location, error) {
	return c.locations.get(func() ([]flexmetal.Location, error) { return c.client.Locations.List(ctx) })
}

// OperatingSystems returns every operating system the API knows.
func (c *Catalog) OperatingSystems(ctx context.Context) ([]flexmetal.OperatingSystem, error) {
	return c.oses.get(func() ([]flexmetal.OperatingSystem, error) { return c.client.OperatingSystems.List(ctx) })
}

// Plans returns every instance type with its hardware and availability per location, in one
// request (see flexmetal.PlansService.List for APIs without it).
func (c *Catalog) Plans(ctx context.Context) ([]flexmetal.Plan, error) {
	return c.plans.get(func() ([]flexmetal.Plan, error) { return c.client.Plans.List(ctx) })
}

// InstanceTypes returns the plans offered at a location.
func (c *Catalog) InstanceTypes(ctx context.Context, loc flexmetal.Location) ([]flexmetal.Plan, error) {
	plans, err := c.Plans(ctx)
	if err != nil {
		return nil, err
	}
	return PlansAt(plans, loc.Name), nil
}

// PlansAt returns the plans offered at the location named location, in the catalog's order.
func PlansAt(plans []flexmetal.Plan, location string) []flexmetal.Plan {
	var out []flexmetal.Plan
	for _, p := range plans {
		if _, ok := p.At(location); ok {
			out = append(out, p)
		}
	}
	return out
}

// PlanAt finds the plan named name among those offered at location. When there is none, ok is
// false and names lists those offered there, sorted.
func PlanAt(plans []flexmetal.Plan, location, name string) (p flexmetal.Plan, ok bool, names []string) {
	return findByKey(PlansAt(plans, location), name, func(p flexmetal.Plan) string { return p.Name }, nil)
}

// LocationByName finds a location by its exact name. When there is none, ok is false and names
// lists every location, for a "did you mean" message.
func (c *Catalog) LocationByName(ctx context.Context, name string) (loc flexmetal.Location, ok bool, names []string, err error) {
	locs, err := c.Locations(ctx)
	if err != nil {
		return loc, false, nil, err
	}
	loc, ok, names = findByKey(locs, name, func(l flexmetal.Location) string { return l.Name }, nil)
	return loc, ok, names, nil
}

// InstanceTypeByName finds an instance type offered at a location by its exact name. When there
// is none, ok is false and names lists those offered there.
func (c *Catalog) InstanceTypeByName(ctx context.Context, loc flexmetal.Location, name string) (p flexmetal.Plan, ok bool, names []string, err error) {
	plans, err := c.Plans(ctx)
	if err != nil {
		return p, false, nil, err
	}
	p, ok, names = PlanAt(plans, loc.Name, name)
	return p, ok, names, nil
}

// OperatingSystemBySlug finds an operating system by its slug, orderable or not. When there is
// none, ok is false and slugs lists the orderable ones.
func (c *Catalog) OperatingSystemBySlug(ctx context.Context, slug string) (os flexmetal.OperatingSystem, ok bool, slugs []string, err error) {
	oses, err := c.OperatingSystems(ctx)
	if err != nil {
		return os, false, nil, err
	}
	os, ok, slugs = findByKey(oses, slug, func(o flexmetal.OperatingSystem) string { return o.Slug }, flexmetal.OperatingSystem.Orderable)
	return os, ok, slugs, nil
}

// findByKey returns the item whose key is want. When there is none, it returns the sorted keys of
// the items that suggest accepts (all when suggest is nil), for a "did you mean" message.
func findByKey[T any](items []T, want string, key func(T) string, suggestable func(T) bool) (T, bool, []string) {
	var keys []string
	for _, item := range items {
		if key(item) == want {
			return item, true, nil
		}
		if suggestable == nil || suggestable(item) {
			keys = append(keys, key(item))
		}
	}
	sort.Strings(keys)
	var zero T
	return zero, false, keys
}

// LocationByID finds a location by its numeric id. When there is none, ok is false and known
// lists every location, sorted by id, for the error message.
func (c *Catalog) LocationByID(ctx context.Context, id int64) (loc flexmetal.Location, ok bool, known []flexmetal.Location, err error) {
	locs, err := c.Locations(ctx)
	if err != nil {
		return loc, false, nil, err
	}
	for _, l := range locs {
		if l.ID == id {
			return l, true, nil, nil
		}
	}
	known = append([]flexmetal.Location(nil), locs...)
	sort.Slice(known, func(i, j int) bool { return known[i].ID < known[j].ID })
	return loc, false, known, nil
}

// LookupLocation finds the location named name in the catalog: the one lookup of a location by
// name, whatever asks for it. When there is none, it adds the "Unknown FlexMetal Location" error
// on attr, naming the closest locations. When the catalog cannot be read, it calls readFailed,
// with which each caller says what that means for it (a plan may go on with a warning), or, when
// readFailed is nil, adds an error saying the lookup failed. ok is false in both cases.
func LookupLocation(ctx context.Context, cat *Catalog, name string, attr path.Path, diags *diag.Diagnostics, readFailed func(error)) (loc flexmetal.Location, ok bool) {
	loc, ok, names, err := cat.LocationByName(ctx, name)
	switch {
	case err != nil && readFailed != nil:
		readFailed(err)
	case err != nil:
		diags.AddError("Unable to Read FlexMetal Locations",
			fmt.Sprintf("Listing the FlexMetal locations, to find %q, failed.\n\n%s", name, APIErrorDetail(err)))
	case !ok:
		diags.AddAttributeError(attr, "Unknown FlexMetal Location",
			fmt.Sprintf("Location %q does not exist. %s", name, ChoicesText(name, names)))
	}
	return loc, err == nil && ok
}
