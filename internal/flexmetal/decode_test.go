package flexmetal_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

// fullServerJSON is a delivered server with every field set.
const fullServerJSON = `{
	"uuid": "0193aa10-5c2e-7b41-8f6d-2d9e0c4b1a77",
	"name": "web-1.example.com",
	"status": "delivered",
	"statusMessage": "OK",
	"location": {"id": 18, "name": "EU: Rotterdam"},
	"instanceType": {"id": 129, "name": "bm7.std.8"},
	"os": {"slug": "ubuntu-2404-lts"},
	"ipAddresses": [{"ipAddress": "203.0.113.10"}, {"ipAddress": "2001:db8::10"}],
	"tags": ["team_a", "env:dev"],
	"createdAt": 1730000000,
	"deliveredAt": 1730003600,
	"releasedAt": null,
	"contractId": "ACME-42"
}`

func fullServer() *flexmetal.Server {
	delivered := time.Unix(1730003600, 0).UTC()
	return &flexmetal.Server{
		UUID: "0193aa10-5c2e-7b41-8f6d-2d9e0c4b1a77", Name: "web-1.example.com",
		Status: "delivered", StatusMessage: "OK",
		LocationID: 18, Location: "EU: Rotterdam", InstanceTypeID: 129, InstanceType: "bm7.std.8",
		OSSlug:      "ubuntu-2404-lts",
		IPAddresses: []string{"203.0.113.10", "2001:db8::10"},
		Tags:        []string{"team_a", "env:dev"},
		CreatedAt:   time.Unix(1730000000, 0).UTC(),
		DeliveredAt: &delivered,
		ContractID:  "ACME-42",
	}
}

func TestServersGet_decodesArrayWithOneObjectOrBareObject(t *testing.T) {
	for name, body := range map[string]string{
		"array with one object": "[" + fullServerJSON + "]",
		"bare object":           fullServerJSON,
		"longer array":          "[" + fullServerJSON + `,{"uuid":"other"}]`,
	} {
		t.Run(name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, okJSON(body)))
			c := newClient(t, api.URL)
			got, err := c.Servers.Get(context.Background(), "0193aa10-5c2e-7b41-8f6d-2d9e0c4b1a77")
			if err != nil {
				t.Fatal(err)
			}
			if want := fullServer(); !reflect.DeepEqual(got, want) {
				t.Errorf("Get =\n %+v\nwant\n %+v", got, want)
			}
		})
	}
}

func TestServerDecoding_timestampsAreUTCAndNullTimestampsAreNil(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[{"uuid":"u1","status":"created","createdAt":1730000000,
		"deliveredAt":null,"releasedAt":null,"contractId":null,"ipAddresses":[],"tags":[]}]`)))
	c := newClient(t, api.URL)
	s, err := c.Servers.Get(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if s.DeliveredAt != nil || s.ReleasedAt != nil {
		t.Errorf("DeliveredAt, ReleasedAt = %v, %v; want nil for null", s.DeliveredAt, s.ReleasedAt)
	}
	if want := time.Date(2024, 10, 27, 3, 33, 20, 0, time.UTC); !s.CreatedAt.Equal(want) || s.CreatedAt.Location() != time.UTC {
		t.Errorf("CreatedAt = %v (%v), want %v in UTC", s.CreatedAt, s.CreatedAt.Location(), want)
	}
	if s.ContractID != "" {
		t.Errorf("ContractID = %q, want empty for null", s.ContractID)
	}
}

func TestServerDecoding_releasedServerHasUTCReleaseTime(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[{"uuid":"u1","status":"released","createdAt":1730000000,"deliveredAt":1730003600,"releasedAt":1730007200}]`)))
	c := newClient(t, api.URL)
	s, err := c.Servers.Get(context.Background(), "u1")
	if err != nil {
		t.Fatal(err)
	}
	if s.ReleasedAt == nil || !s.ReleasedAt.Equal(time.Unix(1730007200, 0)) || s.ReleasedAt.Location() != time.UTC {
		t.Errorf("ReleasedAt = %v, want %v UTC", s.ReleasedAt, time.Unix(1730007200, 0).UTC())
	}
}

func TestServerDecoding_flattensIPAddressesAndNeverReturnsNilSlices(t *testing.T) {
	cases := map[string]struct {
		field   string
		wantIPs []string
	}{
		"two addresses":   {`"ipAddresses":[{"ipAddress":"198.51.100.7"},{"ipAddress":"198.51.100.8"}]`, []string{"198.51.100.7", "198.51.100.8"}},
		"blank skipped":   {`"ipAddresses":[{"ipAddress":""},{"ipAddress":"198.51.100.7"}]`, []string{"198.51.100.7"}},
		"empty array":     {`"ipAddresses":[]`, []string{}},
		"null":            {`"ipAddresses":null`, []string{}},
		"field is absent": {`"name":"x"`, []string{}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, okJSON(`[{"uuid":"u1","status":"delivered",`+tc.field+`}]`)))
			c := newClient(t, api.URL)
			s, err := c.Servers.Get(context.Background(), "u1")
			if err != nil {
				t.Fatal(err)
			}
			if s.IPAddresses == nil || s.Tags == nil {
				t.Errorf("IPAddresses, Tags = %#v, %#v; want non-nil slices", s.IPAddresses, s.Tags)
			}
			if !reflect.DeepEqual(s.IPAddresses, tc.wantIPs) {
				t.Errorf("IPAddresses = %q, want %q", s.IPAddresses, tc.wantIPs)
			}
		})
	}
}

func TestDecoding_emptyOrBrokenBodyWhereOneObjectExpectedIsResponseError(t *testing.T) {
	// Bodies that are not JSON at all are asked for again by idempotent calls (MaxRetries 3);
	// a well-formed answer of the wrong shape, or any answer to a create, is not.
	cases := []struct {
		name     string
		body     string
		requests int
		call     func(context.Context, *flexmetal.Client) error
	}{
		{"get server: empty array", `[]`, 1, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{"get server: empty body", ``, 1, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{"get server: null", `null`, 1, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{"get server: not JSON", `[{"uuid":`, 4, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{"get server: wrong type", `"delivered"`, 1, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Servers.Get(ctx, "u1"); return err }},
		{"create: empty array", `[]`, 1, func(ctx context.Context, c *flexmetal.Client) error {
			_, err := c.Servers.Create(ctx, flexmetal.CreateServerRequest{Name: "n"})
			return err
		}},
		{"create: server without uuid", `[{"name":"n","status":"created"}]`, 1, func(ctx context.Context, c *flexmetal.Client) error {
			_, err := c.Servers.Create(ctx, flexmetal.CreateServerRequest{Name: "n"})
			return err
		}},
		{"get ssh key: empty array", `[]`, 1, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.SSHKeys.Get(ctx, "k1"); return err }},
		{"create: not JSON", `[{"uuid":`, 1, func(ctx context.Context, c *flexmetal.Client) error {
			_, err := c.Servers.Create(ctx, flexmetal.CreateServerRequest{Name: "n"})
			return err
		}},
		{"create ssh key: key without uuid", `[{"name":"n","publicKey":"ssh-ed25519 AAAA"}]`, 1, func(ctx context.Context, c *flexmetal.Client) error {
			_, err := c.SSHKeys.Create(ctx, "n", "ssh-ed25519 AAAA")
			return err
		}},
		{"list locations: not JSON", `{"id":`, 4, func(ctx context.Context, c *flexmetal.Client) error { _, err := c.Locations.List(ctx); return err }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, okJSON(tc.body)))
			c := newClient(t, api.URL)
			err := tc.call(context.Background(), c)
			var rErr *flexmetal.ResponseError
			if !errors.As(err, &rErr) {
				t.Fatalf("err = %v (%T), want a *ResponseError", err, err)
			}
			if rErr.Method == "" || rErr.Path == "" {
				t.Errorf("ResponseError does not name the request: %+v", rErr)
			}
			if n := rec.total(); n != tc.requests {
				t.Errorf("server saw %d requests, want %d", n, tc.requests)
			}
		})
	}
}

func TestServersList_decodesEveryServer(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON("["+fullServerJSON+`,{"uuid":"u2","status":"created","tags":["env:dev"]}]`)))
	c := newClient(t, api.URL)
	list, err := c.Servers.List(context.Background(), flexmetal.ListServersOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || !reflect.DeepEqual(list[0], fullServer()) || list[1].UUID != "u2" || list[1].Status != "created" {
		t.Errorf("List = %+v", list)
	}
}

func TestServersRelease_emptyAnswerIsSuccessWithNilServer(t *testing.T) {
	for name, answer := range map[string]reply{
		"200 empty":        {status: http.StatusOK},
		"204":              {status: http.StatusNoContent},
		"200 empty array":  okJSON(`[]`),
		"200 literal null": okJSON(`null`),
	} {
		t.Run(name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, answer))
			c := newClient(t, api.URL)
			s, err := c.Servers.Release(context.Background(), "u1")
			if err != nil || s != nil {
				t.Errorf("Release = %+v, %v; want nil, nil", s, err)
			}
		})
	}
}

func TestServersReleaseAndTags_returnTheServerWhenAnswered(t *testing.T) {
	api, _ := newAPI(t, routes(t, map[string]http.Handler{
		"DELETE " + serversPath + "/u1":             scripted(t, okJSON(serverArray(t, "releasing"))),
		"POST " + serversPath + "/u1/tag/env:dev":   scripted(t, okJSON(mustJSON(t, serverObj("u1", "delivered", "env:dev")))),
		"DELETE " + serversPath + "/u1/tag/env:dev": scripted(t, okJSON(serverArray(t, "delivered"))),
	}))
	c := newClient(t, api.URL)
	ctx := context.Background()
	if s, err := c.Servers.Release(ctx, "u1"); err != nil || s == nil || s.Status != "releasing" {
		t.Errorf("Release = %+v, %v; want the releasing server", s, err)
	}
	if s, err := c.Servers.AddTag(ctx, "u1", "env:dev"); err != nil || s == nil || !reflect.DeepEqual(s.Tags, []string{"env:dev"}) {
		t.Errorf("AddTag = %+v, %v; want the server with tag env:dev", s, err)
	}
	if s, err := c.Servers.RemoveTag(ctx, "u1", "env:dev"); err != nil || s == nil || len(s.Tags) != 0 {
		t.Errorf("RemoveTag = %+v, %v; want the server without tags", s, err)
	}
}

func TestServersGetAndRelease_missingServerIsNotFound(t *testing.T) {
	api, _ := newAPI(t, scripted(t, reply{status: 404, body: notFoundBody}))
	c := newClient(t, api.URL)
	_, err := c.Servers.Get(context.Background(), "gone")
	if !flexmetal.IsNotFound(err) {
		t.Errorf("Get: IsNotFound(%v) = false", err)
	}
	if apiErr := asAPIError(t, err); apiErr.Code != 20404 || apiErr.Message != "no such server" {
		t.Errorf("APIError = %+v, want code 20404 and the API's message", apiErr)
	}
	if _, err := c.Servers.Release(context.Background(), "gone"); !flexmetal.IsNotFound(err) {
		t.Errorf("Release: IsNotFound(%v) = false", err)
	}
}

func TestLocationsList_decodesEveryField(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[
		{"id":18,"name":"EU: Rotterdam","shortName":"rtm","displayName":"Rotterdam","countryId":150,"countryName":"Netherlands","countryShortName":"NL"},
		{"id":6,"name":"US: Ashburn - VA","shortName":"iad","displayName":"Ashburn","countryId":226,"countryName":"United States","countryShortName":"US"}]`)))
	c := newClient(t, api.URL)
	got, err := c.Locations.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []flexmetal.Location{
		{ID: 18, Name: "EU: Rotterdam", ShortName: "rtm", DisplayName: "Rotterdam", CountryID: 150, CountryName: "Netherlands", CountryShortName: "NL"},
		{ID: 6, Name: "US: Ashburn - VA", ShortName: "iad", DisplayName: "Ashburn", CountryID: 226, CountryName: "United States", CountryShortName: "US"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Locations.List =\n %+v\nwant\n %+v", got, want)
	}
}

func TestLocationsInstanceTypes_decodesEveryField(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(`[{"id":129,"locationId":18,"name":"bm7.std.8","sockets":1,"cores":8,
		"memory":32,"memoryType":"DDR4","storage":960,"storageType":"SSD","generationName":"Coffee Lake"}]`)))
	c := newClient(t, api.URL)
	got, err := c.Locations.InstanceTypes(context.Background(), 18)
	if err != nil {
		t.Fatal(err)
	}
	want := []flexmetal.InstanceType{{ID: 129, LocationID: 18, Name: "bm7.std.8", Sockets: 1, Cores: 8, Memory: 32, MemoryType: "DDR4", Storage: 960, StorageType: "SSD", GenerationName: "Coffee Lake"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("InstanceTypes = %+v, want %+v", got, want)
	}
	if p := rec.only(t).Path; p != "/v3/flexMetal/location/18/instanceTypes" {
		t.Errorf("path = %q", p)
	}
}

func TestLocations_emptyAnswerIsEmptyList(t *testing.T) {
	for _, body := range []string{`[]`, ``} {
		api, _ := newAPI(t, scripted(t, okJSON(body)))
		c := newClient(t, api.URL)
		got, err := c.Locations.List(context.Background())
		if err != nil || len(got) != 0 {
			t.Errorf("Locations.List on %q = %v, %v; want no locations and no error", body, got, err)
		}
	}
}

func TestOperatingSystemsList_zeroOneFlagsDecideOrderable(t *testing.T) {
	cases := []struct {
		name      string
		active    string
		flex      string
		orderable bool
	}{
		{"both 1", "1", "1", true},
		{"inactive", "0", "1", false},
		{"not for flexmetal", "1", "0", false},
		{"both 0", "0", "0", false},
		{"real booleans", "true", "true", true},
		{"quoted numbers", `"1"`, `"1"`, true},
		{"null", "null", "1", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := `[{"id":7,"name":"Ubuntu 24.04 LTS","slug":"ubuntu-2404-lts","osGroup":2,"isOdp":1,` +
				`"active":` + tc.active + `,"availableForFlexMetal":` + tc.flex + `}]`
			api, rec := newAPI(t, scripted(t, okJSON(body)))
			c := newClient(t, api.URL)
			oses, err := c.OperatingSystems.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(oses) != 1 {
				t.Fatalf("got %d operating systems, want 1", len(oses))
			}
			o := oses[0]
			if o.ID != 7 || o.Slug != "ubuntu-2404-lts" || o.Name != "Ubuntu 24.04 LTS" || o.OSGroup != 2 || !bool(o.IsODP) {
				t.Errorf("decoded %+v", o)
			}
			if o.Orderable() != tc.orderable {
				t.Errorf("Orderable() = %v, want %v", o.Orderable(), tc.orderable)
			}
			if p := rec.only(t).Path; p != "/v3/operatingsystem" {
				t.Errorf("path = %q", p)
			}
		})
	}
}

func TestOperatingSystemsList_nonNumericFlagIsResponseError(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[{"id":7,"slug":"x","active":"yes","availableForFlexMetal":1}]`)))
	c := newClient(t, api.URL)
	_, err := c.OperatingSystems.List(context.Background())
	var rErr *flexmetal.ResponseError
	if !errors.As(err, &rErr) {
		t.Errorf("err = %v, want a *ResponseError", err)
	}
}

func TestSSHKeys_listGetAndDelete(t *testing.T) {
	api, rec := newAPI(t, routes(t, map[string]http.Handler{
		"GET /v3/sshKey": scripted(t, okJSON(`[{"uuid":"k1","name":"laptop","publicKey":"ssh-ed25519 AAAA1","createdAt":1700000000},
			{"uuid":"k2","name":"ci","publicKey":"ssh-rsa AAAA2","createdAt":1700000100}]`)),
		"GET /v3/sshKey/k1":    scripted(t, okJSON(`[{"uuid":"k1","name":"laptop","publicKey":"ssh-ed25519 AAAA1","createdAt":1700000000}]`)),
		"GET /v3/sshKey/gone":  scripted(t, reply{status: 404, body: notFoundBody}),
		"DELETE /v3/sshKey/k1": scripted(t, reply{status: http.StatusNoContent}),
		"DELETE /v3/sshKey/k9": scripted(t, reply{status: 404, body: notFoundBody}),
	}))
	c := newClient(t, api.URL)
	ctx := context.Background()

	keys, err := c.SSHKeys.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantKeys := []*flexmetal.SSHKey{
		{UUID: "k1", Name: "laptop", PublicKey: "ssh-ed25519 AAAA1", CreatedAt: time.Unix(1700000000, 0).UTC()},
		{UUID: "k2", Name: "ci", PublicKey: "ssh-rsa AAAA2", CreatedAt: time.Unix(1700000100, 0).UTC()},
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("List = %+v, want %+v", keys, wantKeys)
	}
	if rd := rec.all()[0].Header.Get("RANGED-DATA"); rd != "start=0,results=50" {
		t.Errorf("list RANGED-DATA = %q, want start=0,results=50", rd)
	}

	key, err := c.SSHKeys.Get(ctx, "k1")
	if err != nil || !reflect.DeepEqual(key, wantKeys[0]) {
		t.Errorf("Get = %+v, %v; want %+v", key, err, wantKeys[0])
	}
	if _, err := c.SSHKeys.Get(ctx, "gone"); !flexmetal.IsNotFound(err) {
		t.Errorf("Get(missing): IsNotFound(%v) = false", err)
	}
	if err := c.SSHKeys.Delete(ctx, "k1"); err != nil {
		t.Errorf("Delete answered 204 with no body: %v, want success", err)
	}
	if err := c.SSHKeys.Delete(ctx, "k9"); !flexmetal.IsNotFound(err) {
		t.Errorf("Delete(missing): IsNotFound(%v) = false", err)
	}
}
