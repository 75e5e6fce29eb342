package flexmetal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// Location is a data center where FlexMetal servers can be ordered.
type Location struct {
	ID               int64  `json:"id"`
	Name             string `json:"name"`
	ShortName        string `json:"shortName"`
	DisplayName      string `json:"displayName"`
	CountryID        int64  `json:"countryId"`
	CountryName      string `json:"countryName"`
	CountryShortName string `json:"countryShortName"`
}

// InstanceType is a hardware configuration offered at one location, as the deprecated
// per-location endpoint reports it. Memory is in GB and
// Storage in GB, as the API reports them.
type InstanceType struct {
	ID             int64  `json:"id"`
	LocationID     int64  `json:"locationId"`
	Name           string `json:"name"`
	Sockets        int64  `json:"sockets"`
	Cores          int64  `json:"cores"`
	Memory         int64  `json:"memory"`
	MemoryType     string `json:"memoryType"`
	Storage        int64  `json:"storage"`
	StorageType    string `json:"storageType"`
	GenerationName string `json:"generationName"`
}

// OperatingSystem is an installable OS. Only those Active and AvailableForFlexMetal can be
// ordered with a FlexMetal server.
type OperatingSystem struct {
	ID                    int64   `json:"id"`
	Name                  string  `json:"name"`
	Slug                  string  `json:"slug"`
	OSGroup               int64   `json:"osGroup"`
	IsODP                 intBool `json:"isOdp"`
	AvailableForFlexMetal intBool `json:"availableForFlexMetal"`
	Active                intBool `json:"active"`
}

// intBool reads the API's 0/1 flags (and tolerates real booleans).
type intBool bool

func (b *intBool) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch string(data) {
	case "true":
		*b = true
	case "false", "null":
		*b = false
	default:
		n, err := strconv.ParseFloat(string(bytes.Trim(data, `"`)), 64)
		if err != nil {
			return fmt.Errorf("invalid flag %s: want 0 or 1", data)
		}
		*b = n != 0
	}
	return nil
}

// MarshalJSON writes the flag the way the API does, as 0 or 1.
func (b intBool) MarshalJSON() ([]byte, error) {
	if b {
		return []byte("1"), nil
	}
	return []byte("0"), nil
}

var _ json.Unmarshaler = (*intBool)(nil)

// Paths of the catalog's read endpoints, shared with the API contract check (contract.go).
const (
	locationsPath        = "/v3/flexMetal/location"
	operatingSystemsPath = "/v3/operatingsystem"
)

func instanceTypesPath(locationID int64) string {
	return fmt.Sprintf("%s/%d/instanceTypes", locationsPath, locationID)
}

// LocationsService lists locations and their instance types.
type LocationsService struct {
	client *Client
}

// List returns every FlexMetal location.
func (s *LocationsService) List(ctx context.Context) ([]Location, error) {
	return doList[Location](ctx, s.client, request{method: http.MethodGet, path: locationsPath, idempotent: true})
}

// InstanceTypes returns the instance types offered at a location.
//
// Deprecated: the API deprecates this endpoint; Plans.List covers every location in one request
// and falls back to this one only when the API has no /plans.
func (s *LocationsService) InstanceTypes(ctx context.Context, locationID int64) ([]InstanceType, error) {
	req := request{method: http.MethodGet, path: instanceTypesPath(locationID), idempotent: true}
	return doList[InstanceType](ctx, s.client, req)
}

// OperatingSystemsService lists operating systems.
type OperatingSystemsService struct {
	client *Client
}

// List returns every operating system the API knows, including ones not orderable with
// FlexMetal; filter on Active and AvailableForFlexMetal.
func (s *OperatingSystemsService) List(ctx context.Context) ([]OperatingSystem, error) {
	return doList[OperatingSystem](ctx, s.client, request{method: http.MethodGet, path: operatingSystemsPath, idempotent: true})
}

// Orderable reports whether the OS can be chosen for a FlexMetal server.
func (o OperatingSystem) Orderable() bool { return bool(o.Active) && bool(o.AvailableForFlexMetal) }
