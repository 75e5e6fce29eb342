package simulator

// Location names of the seeded catalog: the values a create request's location takes.
const (
	LocationRotterdam  = "EU: Rotterdam"
	LocationMontreuil  = "EU: Montreuil 1"
	LocationAshburn    = "US: Ashburn - VA"
	LocationDallas     = "US: Dallas - TX"
	LocationLosAngeles = "US: Los Angeles - CA"
	LocationTokyo      = "JP: Tokyo"
	LocationHongKong   = "HK: Hong Kong"
	LocationSaoPaulo   = "BR: Sao Paulo"
	LocationDubai      = "AE: Dubai"
)

// LocationRotterdamID is Rotterdam's id, the one the getting-started guide shows.
const LocationRotterdamID = 18

// Instance type names of the seeded catalog.
const (
	InstanceTypeBM7Std8  = "bm7.std.8"
	InstanceTypeBM8Std32 = "bm8.std.32"
	InstanceTypeBM9Hmm32 = "bm9.hmm.32"
)

// Operating system slugs of the seeded catalog.
const (
	OSUbuntu2204   = "ubuntu-2204-lts"
	OSUbuntu2404   = "ubuntu-2404-lts"
	OSDebian12     = "debian-12"
	OSTalosOmni184 = "talos-omni-184"
	// OSTalosOmni1116 and OSTalosOmni1123 are the Talos releases that i3D.net's own provider
	// tests order against the real API, the first reinstalled to the second, with kernel
	// parameters.
	OSTalosOmni1116 = "talos-omni-1116"
	OSTalosOmni1123 = "talos-omni-1123"
	// OSCustomIPXE requires os.ipxeScriptUrl, and is the only slug that accepts it.
	OSCustomIPXE = "custom-ipxe"
	// OSCentOS7 is listed but inactive, so creating a server with it fails validation.
	OSCentOS7 = "centos-7"
	// OSWindows2022 is active but not available for FlexMetal.
	OSWindows2022 = "windows-2022"
	// OSWindows2025 is the orderable Windows (osGroup 1): no SSH key needed, and a root
	// password to fetch after delivery.
	OSWindows2025 = "windows-2025"
)

// Operating system groups, the osGroup of OperatingSystem.
const (
	OSGroupWindows = 1
	OSGroupLinux   = 2
)

// Location is one entry of GET /v3/flexMetal/location.
type Location struct {
	ID               int    `json:"id"`
	Name             string `json:"name"`
	ShortName        string `json:"shortName"`
	DisplayName      string `json:"displayName"`
	CountryID        int    `json:"countryId"`
	CountryName      string `json:"countryName"`
	CountryShortName string `json:"countryShortName"`
}

// InstanceType is one entry of GET /v3/flexMetal/location/{locationId}/instanceTypes. Its ID
// identifies the pair of location and hardware, so the same name has a different ID per
// location. Memory and Storage are in GB.
type InstanceType struct {
	ID             int    `json:"id"`
	LocationID     int    `json:"locationId"`
	Name           string `json:"name"`
	Sockets        int    `json:"sockets"`
	Cores          int    `json:"cores"`
	Memory         int    `json:"memory"`
	MemoryType     string `json:"memoryType"`
	Storage        int    `json:"storage"`
	StorageType    string `json:"storageType"`
	GenerationName string `json:"generationName"`
}

// OperatingSystem is one entry of GET /v3/operatingsystem. The flags are 0/1 integers, as on
// the wire. OSGroup is 1 for Windows and 2 for Linux/BSD.
type OperatingSystem struct {
	ID                    int    `json:"id"`
	Name                  string `json:"name"`
	Slug                  string `json:"slug"`
	OSGroup               int    `json:"osGroup"`
	IsODP                 int    `json:"isOdp"`
	AvailableForFlexMetal int    `json:"availableForFlexMetal"`
	Active                int    `json:"active"`
}

var seedLocations = []Location{
	{ID: LocationRotterdamID, Name: LocationRotterdam, ShortName: "rtm", DisplayName: "Rotterdam", CountryID: 150, CountryName: "Netherlands", CountryShortName: "NL"},
	{ID: 24, Name: LocationMontreuil, ShortName: "mtr1", DisplayName: "Montreuil 1", CountryID: 73, CountryName: "France", CountryShortName: "FR"},
	{ID: 31, Name: LocationAshburn, ShortName: "ash", DisplayName: "Ashburn, VA", CountryID: 226, CountryName: "United States", CountryShortName: "US"},
	{ID: 37, Name: LocationDallas, ShortName: "dal", DisplayName: "Dallas, TX", CountryID: 226, CountryName: "United States", CountryShortName: "US"},
	{ID: 41, Name: LocationLosAngeles, ShortName: "lax", DisplayName: "Los Angeles, CA", CountryID: 226, CountryName: "United States", CountryShortName: "US"},
	{ID: 52, Name: LocationTokyo, ShortName: "tyo", DisplayName: "Tokyo", CountryID: 109, CountryName: "Japan", CountryShortName: "JP"},
	{ID: 55, Name: LocationHongKong, ShortName: "hkg", DisplayName: "Hong Kong", CountryID: 97, CountryName: "Hong Kong", CountryShortName: "HK"},
	{ID: 63, Name: LocationSaoPaulo, ShortName: "sao", DisplayName: "Sao Paulo", CountryID: 30, CountryName: "Brazil", CountryShortName: "BR"},
	{ID: 71, Name: LocationDubai, ShortName: "dxb", DisplayName: "Dubai", CountryID: 224, CountryName: "United Arab Emirates", CountryShortName: "AE"},
}

// hardware is an instance type independent of location.
var hardware = map[string]InstanceType{
	InstanceTypeBM7Std8:  {Name: InstanceTypeBM7Std8, Sockets: 1, Cores: 8, Memory: 32, MemoryType: "DDR4", Storage: 960, StorageType: "SSD", GenerationName: "Coffee Lake"},
	InstanceTypeBM8Std32: {Name: InstanceTypeBM8Std32, Sockets: 1, Cores: 32, Memory: 128, MemoryType: "DDR4", Storage: 1920, StorageType: "SSD", GenerationName: "Rome"},
	InstanceTypeBM9Hmm32: {Name: InstanceTypeBM9Hmm32, Sockets: 1, Cores: 32, Memory: 256, MemoryType: "DDR5", Storage: 1920, StorageType: "NVME", GenerationName: "Genoa"},
}

// availability is deliberately uneven so clients meet "not available here" errors.
var availability = map[string][]string{
	LocationRotterdam:  {InstanceTypeBM7Std8, InstanceTypeBM8Std32, InstanceTypeBM9Hmm32},
	LocationMontreuil:  {InstanceTypeBM7Std8, InstanceTypeBM8Std32},
	LocationAshburn:    {InstanceTypeBM8Std32, InstanceTypeBM9Hmm32},
	LocationDallas:     {InstanceTypeBM7Std8},
	LocationLosAngeles: {InstanceTypeBM7Std8, InstanceTypeBM8Std32},
	LocationTokyo:      {InstanceTypeBM8Std32},
	LocationHongKong:   {InstanceTypeBM7Std8},
	LocationSaoPaulo:   {InstanceTypeBM7Std8},
	LocationDubai:      {InstanceTypeBM9Hmm32},
}

var seedOperatingSystems = []OperatingSystem{
	{ID: 301, Name: "Ubuntu 22.04 LTS", Slug: OSUbuntu2204, OSGroup: 2, IsODP: 1, AvailableForFlexMetal: 1, Active: 1},
	{ID: 302, Name: "Ubuntu 24.04 LTS", Slug: OSUbuntu2404, OSGroup: 2, IsODP: 1, AvailableForFlexMetal: 1, Active: 1},
	{ID: 310, Name: "Debian 12", Slug: OSDebian12, OSGroup: 2, IsODP: 1, AvailableForFlexMetal: 1, Active: 1},
	{ID: 320, Name: "Talos Omni 1.8.4", Slug: OSTalosOmni184, OSGroup: 2, IsODP: 0, AvailableForFlexMetal: 1, Active: 1},
	{ID: 321, Name: "Talos Omni 1.11.6", Slug: OSTalosOmni1116, OSGroup: 2, IsODP: 0, AvailableForFlexMetal: 1, Active: 1},
	{ID: 322, Name: "Talos Omni 1.12.3", Slug: OSTalosOmni1123, OSGroup: 2, IsODP: 0, AvailableForFlexMetal: 1, Active: 1},
	{ID: 330, Name: "Custom iPXE", Slug: OSCustomIPXE, OSGroup: 2, IsODP: 0, AvailableForFlexMetal: 1, Active: 1},
	{ID: 120, Name: "CentOS 7", Slug: OSCentOS7, OSGroup: 2, IsODP: 1, AvailableForFlexMetal: 1, Active: 0},
	{ID: 210, Name: "Windows Server 2022", Slug: OSWindows2022, OSGroup: 1, IsODP: 1, AvailableForFlexMetal: 0, Active: 1},
	{ID: 211, Name: "Windows Server 2025", Slug: OSWindows2025, OSGroup: 1, IsODP: 0, AvailableForFlexMetal: 1, Active: 1},
}

// catalog indexes the seed data. It is immutable after buildCatalog, so it is read without the
// simulator's lock.
type catalog struct {
	locations      []Location
	locationByName map[string]Location
	locationByID   map[int]Location
	instanceTypes  map[int][]InstanceType // by location id, in seed order
	oses           []OperatingSystem
	osBySlug       map[string]OperatingSystem
}

func buildCatalog() *catalog {
	c := &catalog{
		locationByName: map[string]Location{},
		locationByID:   map[int]Location{},
		instanceTypes:  map[int][]InstanceType{},
		osBySlug:       map[string]OperatingSystem{},
	}
	// Rotterdam's bm7.std.8 gets 129, the id the getting-started guide shows.
	nextID := 129
	for _, l := range seedLocations {
		c.locations = append(c.locations, l)
		c.locationByName[l.Name] = l
		c.locationByID[l.ID] = l
		for _, name := range availability[l.Name] {
			it := hardware[name]
			it.ID = nextID
			it.LocationID = l.ID
			nextID++
			c.instanceTypes[l.ID] = append(c.instanceTypes[l.ID], it)
		}
	}
	for _, o := range seedOperatingSystems {
		c.oses = append(c.oses, o)
		c.osBySlug[o.Slug] = o
	}
	return c
}

var defaultCatalog = buildCatalog()

func (c *catalog) instanceTypeAt(locationID int, name string) (InstanceType, bool) {
	for _, it := range c.instanceTypes[locationID] {
		if it.Name == name {
			return it, true
		}
	}
	return InstanceType{}, false
}

// Locations returns the seeded locations in listing order.
func Locations() []Location {
	return append([]Location(nil), defaultCatalog.locations...)
}

// InstanceTypesAt returns the instance types available at a location id, or nil for an unknown
// location.
func InstanceTypesAt(locationID int) []InstanceType {
	return append([]InstanceType(nil), defaultCatalog.instanceTypes[locationID]...)
}

// OperatingSystems returns the seeded operating systems, including the inactive and
// non-FlexMetal ones.
func OperatingSystems() []OperatingSystem {
	return append([]OperatingSystem(nil), defaultCatalog.oses...)
}
