package flexmetal_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

const (
	contractServerUUID = "0193aa10-5c2e-7b41-8f6d-2d9e0c4b1a77"
	contractSecret     = "s3cret-Root-Pa55word"
	contractLocation   = `{"id": 18, "name": "EU: Rotterdam", "shortName": "RTM", "displayName": "Rotterdam",
		"countryId": 150, "countryName": "Netherlands", "countryShortName": "NL"}`
	contractInstanceType = `{"id": 129, "locationId": 18, "name": "bm7.std.8", "sockets": 1, "cores": 8,
		"memory": 32, "memoryType": "DDR4", "storage": 960, "storageType": "SSD", "generationName": "bm7"}`
	contractServer = `{"uuid": "` + contractServerUUID + `", "name": "win-1", "status": "delivered", "statusMessage": "OK",
		"location": {"id": 18, "name": "EU: Rotterdam"}, "instanceType": {"id": 129, "name": "bm7.std.8"},
		"os": {"slug": "windows-2025"}, "ipAddresses": [{"ipAddress": "203.0.113.10"}], "tags": ["env:dev"],
		"createdAt": 1730000000, "deliveredAt": 1730003600, "releasedAt": null, "contractId": null}`
)

// contractAnswers are answers matching the client's wire types, by request path; the
// commands answer carries a payload the client does not decode.
func contractAnswers() map[string]string {
	return map[string]string{
		"/v3/flexMetal/location":                  "[" + contractLocation + "]",
		"/v3/flexMetal/location/18/instanceTypes": "[" + contractInstanceType + "]",
		"/v3/flexMetal/plans": `[{"name": "bm7.std.8", "hardwareDetails": {
			"cpu": {"name": "Xeon", "baseClock": 3400, "cpuCount": 1, "cpuCores": 8, "totalCores": 8},
			"memory": {"type": "ddr4", "size": 32}, "disks": [{"type": "ssd", "size": 960}],
			"networkInterfaces": [{"type": "1 Gbps", "count": 2}], "gpu": null},
			"locations": [{"name": "EU: Rotterdam", "dcCode": "nlrtm1", "availability": "high"}]}]`,
		"/v3/operatingsystem": `[{"id": 211, "name": "Windows Server 2025", "slug": "windows-2025", "osGroup": 1,
			"isOdp": 0, "availableForFlexMetal": 1, "active": true}]`,
		"/v3/sshKey":                           `[{"uuid": "k-1", "name": "ops", "publicKey": "ssh-ed25519 AAAA", "createdAt": 1730000000}]`,
		"/v3/sshKey/k-1":                       `[{"uuid": "k-1", "name": "ops", "publicKey": "ssh-ed25519 AAAA", "createdAt": 1730000000}]`,
		serversPath:                            "[" + contractServer + "]",
		serversPath + "/" + contractServerUUID: "[" + contractServer + "]",
		serversPath + "/" + contractServerUUID + "/commands": `[{"uuid": "c-1", "server_uuid": "` + contractServerUUID + `",
			"payload": [], "state": "finished", "created_at": "2025-06-30T10:00:00+00:00", "updated_at": "2025-06-30 10:07:12"}]`,
		serversPath + "/" + contractServerUUID + "/rootPassword": `[{"rootPassword": "` + contractSecret + `"}]`,
		"/v3/flexMetal/tags":         `[{"tag": "env:dev", "resources": {"count": 2, "flexMetalServers": {"count": 1}}}]`,
		"/v3/flexMetal/tags/env:dev": `[{"tag": "env:dev", "resources": {"count": 2, "flexMetalServers": {"count": 1}}}]`,
		"/v3/flexMetal/quota/usage": `[{"location": {"id": 18, "name": "EU: Rotterdam"}, "quotaUsage": [
			{"instanceType": {"id": 129, "name": "bm7.std.8"}, "quotaType": "onDemand", "contractId": "", "quota": 5, "usage": 1}]}]`,
		"/v3/flexMetal/capacity/commit": `[{"location": ` + contractLocation + `, "commits": [
			{"instanceType": ` + contractInstanceType + `, "capacity": 4, "inUse": 1}]}]`,
		"/v3/flexMetal/usage": `[{"server": ` + contractServer + `, "startedAt": "2025-06-01T00:00:00+00:00",
			"endedAt": null, "totalHours": 3, "totalMinutes": 180, "bandwidthIn": 1024}]`,
	}
}

// contractAPI serves answers by path (404 for any other) and records every request.
func contractAPI(t *testing.T, answers map[string]string) (*flexmetal.Client, *recorder) {
	t.Helper()
	srv, rec := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := answers[r.URL.Path]
		if !ok {
			http.Error(w, `{"errorCode": 404, "errorMessage": "not found"}`, http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	return newClient(t, srv.URL, flexmetal.WithRetryPolicy(fastRetry(1))), rec
}

func checkContract(t *testing.T, c *flexmetal.Client, opts flexmetal.ContractOptions) []flexmetal.EndpointReport {
	t.Helper()
	reports, err := flexmetal.CheckContract(context.Background(), c, opts)
	if err != nil {
		t.Fatalf("CheckContract: %v", err)
	}
	return reports
}

func reportFor(t *testing.T, reports []flexmetal.EndpointReport, endpoint string) flexmetal.EndpointReport {
	t.Helper()
	for _, r := range reports {
		if r.Endpoint == endpoint {
			return r
		}
	}
	t.Fatalf("no report for %q in %+v", endpoint, reports)
	return flexmetal.EndpointReport{}
}

func TestCheckContract_matchingAnswersAreOK(t *testing.T) {
	c, rec := contractAPI(t, contractAnswers())
	reports := checkContract(t, c, flexmetal.ContractOptions{RootPassword: true})
	if len(reports) != 15 {
		t.Errorf("got %d reports, want one per read endpoint (15): %+v", len(reports), reports)
	}
	for _, r := range reports {
		if r.Failed() || r.NotChecked != "" || r.Items == 0 {
			t.Errorf("%s: want OK, got %+v", r.Endpoint, r)
		}
	}
	cmds := reportFor(t, reports, "GET /v3/flexMetal/servers/{uuid}/commands")
	if want := []flexmetal.FieldIssue{{Field: "payload", Got: "array"}}; !slices.Equal(cmds.Undecoded, want) {
		t.Errorf("commands undecoded = %+v, want %+v", cmds.Undecoded, want)
	}
	for _, req := range rec.all() {
		if req.Method != http.MethodGet {
			t.Errorf("sent %s %s: the check must only GET", req.Method, req.Path)
		}
	}
	if text := fmt.Sprintf("%+v", reports); strings.Contains(text, contractSecret) {
		t.Errorf("a report carries the root password: %s", text)
	}
}

// The contract comes from the client's wire types, so every GET the client sends must be one the
// check makes: a new read method without a contract entry fails here.
func TestCheckContract_coversEveryReadTheClientSends(t *testing.T) {
	ctx := context.Background()
	c, rec := contractAPI(t, contractAnswers())
	reads := []func() error{
		func() error { _, err := c.Locations.List(ctx); return err },
		func() error { _, err := c.Locations.InstanceTypes(ctx, 18); return err }, //nolint:staticcheck // the deprecated endpoint is still read
		func() error { _, err := c.Plans.List(ctx); return err },
		func() error { _, err := c.OperatingSystems.List(ctx); return err },
		func() error { _, err := c.SSHKeys.List(ctx); return err },
		func() error { _, err := c.SSHKeys.Get(ctx, "k-1"); return err },
		func() error { _, err := c.Servers.List(ctx, flexmetal.ListServersOptions{}); return err },
		func() error { _, err := c.Servers.Get(ctx, contractServerUUID); return err },
		func() error { _, err := c.Servers.Refresh(ctx, contractServerUUID); return err },
		func() error {
			_, err := c.Servers.Commands(ctx, contractServerUUID, flexmetal.CommandTypeUpdateServer)
			return err
		},
		func() error { _, err := c.Servers.RootPassword(ctx, contractServerUUID); return err },
		func() error { _, err := c.Tags.List(ctx); return err },
		func() error { _, err := c.Tags.Get(ctx, "env:dev"); return err },
		func() error { _, err := c.Account.Quotas(ctx); return err },
		func() error { _, err := c.Account.CapacityCommits(ctx); return err },
		func() error {
			_, err := c.Account.Usage(ctx, flexmetal.UsageOptions{From: time.Now().AddDate(0, 0, -1), To: time.Now()})
			return err
		},
	}
	for i, read := range reads {
		if err := read(); err != nil {
			t.Fatalf("read %d: %v", i, err)
		}
	}
	clientPaths := map[string]bool{}
	for _, r := range rec.all() {
		clientPaths[r.Path] = true
	}
	n := rec.total()
	checkContract(t, c, flexmetal.ContractOptions{RootPassword: true})
	checked := map[string]bool{}
	for _, r := range rec.all()[n:] {
		checked[r.Path] = true
	}
	for p := range clientPaths {
		if !checked[p] {
			t.Errorf("the client GETs %s but the contract check does not", p)
		}
	}
}

func TestCheckContract_missingRequiredField(t *testing.T) {
	answers := contractAnswers()
	answers[serversPath+"/"+contractServerUUID] = strings.Replace(contractServer, `"status": "delivered",`, "", 1)
	answers["/v3/flexMetal/usage"] = `[{"server": ` + contractServer + `, "startedAt": null, "totalHours": 3, "totalMinutes": 180}]`
	c, _ := contractAPI(t, answers)
	reports := checkContract(t, c, flexmetal.ContractOptions{})

	got := reportFor(t, reports, "GET /v3/flexMetal/servers/{uuid}")
	if !got.Failed() || !slices.Equal(got.Missing, []flexmetal.FieldIssue{{Field: "status", Want: "string", Got: "absent"}}) {
		t.Errorf("server without status: %+v", got)
	}
	// endedAt and bandwidthIn are optional (contract tags); startedAt is not, and null is missing.
	usage := reportFor(t, reports, "GET /v3/flexMetal/usage?startDate&endDate")
	if !slices.Equal(usage.Missing, []flexmetal.FieldIssue{{Field: "startedAt", Want: "timestamp", Got: "null"}}) {
		t.Errorf("usage missing = %+v, want startedAt (null) only", usage.Missing)
	}
	// The list answer was fine.
	if list := reportFor(t, reports, "GET "+serversPath); list.Failed() {
		t.Errorf("server list: %+v", list)
	}
}

func TestCheckContract_optionalFieldsMayBeNullOrAbsent(t *testing.T) {
	answers := contractAnswers()
	// Pointers (deliveredAt, createdAt, contractId) and omitempty fields (an SSH key's
	// createdAt) may be absent; gpu (json.RawMessage) may be anything.
	answers[serversPath] = `[{"uuid": "` + contractServerUUID + `", "name": "n", "status": "created", "statusMessage": "",
		"location": {"id": 18, "name": "EU: Rotterdam"}, "instanceType": {"id": 129, "name": "bm7.std.8"},
		"os": {"slug": "debian-12"}, "ipAddresses": [], "tags": [], "deliveredAt": null}]`
	answers["/v3/sshKey"] = `[{"uuid": "k-1", "name": "ops", "publicKey": "ssh-ed25519 AAAA"}]`
	answers["/v3/flexMetal/plans"] = strings.Replace(contractAnswers()["/v3/flexMetal/plans"], `"gpu": null`, `"gpu": {"model": "L4", "count": 1}`, 1)
	c, _ := contractAPI(t, answers)
	for _, r := range checkContract(t, c, flexmetal.ContractOptions{}) {
		if r.Failed() {
			t.Errorf("%s: %+v", r.Endpoint, r)
		}
	}
}

func TestCheckContract_mistypedFields(t *testing.T) {
	answers := contractAnswers()
	answers[serversPath+"/"+contractServerUUID] = `{"uuid": "` + contractServerUUID + `", "name": "n", "status": "delivered",
		"statusMessage": "OK", "location": {"id": "18", "name": "EU: Rotterdam"}, "instanceType": {"id": 129, "name": "bm7.std.8"},
		"os": ["debian-12"], "ipAddresses": [{"ipAddress": 3405803786}], "tags": "env:dev",
		"createdAt": "2025-01-01T00:00:00Z", "deliveredAt": 1.5, "releasedAt": null, "contractId": null}`
	answers["/v3/operatingsystem"] = `[{"id": 211, "name": "W", "slug": "windows-2025", "osGroup": 1,
		"isOdp": "no", "availableForFlexMetal": 1, "active": true}]`
	answers[serversPath+"/"+contractServerUUID+"/commands"] = `[{"uuid": "c-1", "server_uuid": "s", "state": "finished",
		"created_at": "last Tuesday", "updated_at": {}}]`
	c, _ := contractAPI(t, answers)
	reports := checkContract(t, c, flexmetal.ContractOptions{})

	server := reportFor(t, reports, "GET /v3/flexMetal/servers/{uuid}")
	want := []flexmetal.FieldIssue{
		{Field: "createdAt", Want: "number", Got: "string"},
		{Field: "deliveredAt", Want: "number", Got: "number"}, // 1.5 is no int64
		{Field: "ipAddresses[].ipAddress", Want: "string", Got: "number"},
		{Field: "location.id", Want: "number", Got: "string"},
		{Field: "os", Want: "object", Got: "array"},
		{Field: "tags", Want: "array", Got: "string"},
	}
	if !server.Failed() || !slices.Equal(server.Mistyped, want) || server.Items != 1 {
		t.Errorf("server mistyped = %+v\nwant %+v", server.Mistyped, want)
	}
	// Custom types are judged by their own decoders: "no" is no flag, and what apiTime would
	// silently read as the zero time is no timestamp.
	oses := reportFor(t, reports, "GET /v3/operatingsystem")
	if !slices.Equal(oses.Mistyped, []flexmetal.FieldIssue{{Field: "isOdp", Want: "0 or 1", Got: "string"}}) {
		t.Errorf("operating systems mistyped = %+v", oses.Mistyped)
	}
	cmds := reportFor(t, reports, "GET /v3/flexMetal/servers/{uuid}/commands")
	wantCmds := []flexmetal.FieldIssue{{Field: "created_at", Want: "timestamp", Got: "string"}, {Field: "updated_at", Want: "timestamp", Got: "object"}}
	if !slices.Equal(cmds.Mistyped, wantCmds) {
		t.Errorf("commands mistyped = %+v, want %+v", cmds.Mistyped, wantCmds)
	}
}

func TestCheckContract_extraFieldsAreUndecodedNotFailures(t *testing.T) {
	answers := contractAnswers()
	answers["/v3/flexMetal/location"] = `[` + strings.Replace(contractLocation, `"id": 18,`, `"id": 18, "region": "EU", "flags": {"new": true},`, 1) + `]`
	answers["/v3/flexMetal/tags"] = `[{"tag": "env:dev", "owner": "ops", "resources": {"count": 2, "vpcs": {"count": 1}, "flexMetalServers": {"count": 1}}}]`
	c, _ := contractAPI(t, answers)
	reports := checkContract(t, c, flexmetal.ContractOptions{})
	locs := reportFor(t, reports, "GET /v3/flexMetal/location")
	if locs.Failed() || !slices.Equal(locs.Undecoded, []flexmetal.FieldIssue{{Field: "flags", Got: "object"}, {Field: "region", Got: "string"}}) {
		t.Errorf("locations: %+v", locs)
	}
	tags := reportFor(t, reports, "GET /v3/flexMetal/tags")
	if tags.Failed() || !slices.Equal(tags.Undecoded, []flexmetal.FieldIssue{{Field: "owner", Got: "string"}, {Field: "resources.vpcs", Got: "object"}}) {
		t.Errorf("tags: %+v", tags)
	}
}

func TestCheckContract_emptyAccountIsNotChecked(t *testing.T) {
	answers := contractAnswers()
	for _, p := range []string{serversPath, "/v3/sshKey", "/v3/flexMetal/tags", "/v3/flexMetal/capacity/commit", "/v3/flexMetal/usage"} {
		answers[p] = "[]"
	}
	delete(answers, "/v3/flexMetal/plans") // an API that predates /plans answers 404
	c, rec := contractAPI(t, answers)
	reports := checkContract(t, c, flexmetal.ContractOptions{RootPassword: true})
	want := map[string]string{
		"GET /v3/flexMetal/servers/{uuid}":              "no server in the account",
		"GET /v3/flexMetal/servers/{uuid}/commands":     "no server in the account",
		"GET /v3/flexMetal/servers/{uuid}/rootPassword": "no delivered Windows server in the account",
		"GET /v3/sshKey/{uuid}":                         "no SSH key in the account",
		"GET /v3/flexMetal/tags/{tag}":                  "no tag in the account",
		"GET /v3/flexMetal/servers":                     "the answer is an empty list",
	}
	for endpoint, why := range want {
		if r := reportFor(t, reports, endpoint); r.NotChecked != why || r.Failed() {
			t.Errorf("%s: %+v, want not checked: %s", endpoint, r, why)
		}
	}
	if r := reportFor(t, reports, "GET /v3/flexMetal/plans"); r.Failed() || !strings.Contains(r.NotChecked, "404") {
		t.Errorf("plans answering 404: %+v", r)
	}
	if n := rec.count(func(r recordedRequest) bool { return strings.Contains(r.Path, "/v3/flexMetal/servers/") }); n != 0 {
		t.Errorf("sent %d requests for a server that does not exist", n)
	}
}

func TestCheckContract_httpErrorsFailTheEndpoint(t *testing.T) {
	answers := contractAnswers()
	delete(answers, "/v3/flexMetal/quota/usage")
	c, _ := contractAPI(t, answers)
	reports := checkContract(t, c, flexmetal.ContractOptions{})
	if r := reportFor(t, reports, "GET /v3/flexMetal/quota/usage"); !r.Failed() || !flexmetal.IsNotFound(r.Err) {
		t.Errorf("quota answering 404: %+v", r)
	}
	// The check went on after the failure.
	if r := reportFor(t, reports, "GET /v3/flexMetal/usage?startDate&endDate"); r.Failed() || r.Items != 1 {
		t.Errorf("usage after the failure: %+v", r)
	}
}

func TestCheckContract_refusedCredentialsStopTheCheck(t *testing.T) {
	srv, rec := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"errorCode": 401, "errorMessage": "invalid token"}`, http.StatusUnauthorized)
	}))
	c := newClient(t, srv.URL, flexmetal.WithRetryPolicy(fastRetry(1)))
	reports, err := flexmetal.CheckContract(context.Background(), c, flexmetal.ContractOptions{})
	if !flexmetal.IsUnauthorized(err) || len(reports) != 1 || rec.total() != 1 {
		t.Errorf("got err %v, %d reports, %d requests; want 401 after the first request", err, len(reports), rec.total())
	}
}

func TestCheckContract_pagedListsAskForOnePage(t *testing.T) {
	c, rec := contractAPI(t, contractAnswers())
	checkContract(t, c, flexmetal.ContractOptions{})
	for _, p := range []string{serversPath, "/v3/sshKey", "/v3/flexMetal/tags"} {
		reqs := slices.DeleteFunc(rec.all(), func(r recordedRequest) bool { return r.Path != p })
		if len(reqs) != 1 || reqs[0].Header.Get("RANGED-DATA") != fmt.Sprintf("start=0,results=%d", flexmetal.PageSize) {
			t.Errorf("%s: want one request with RANGED-DATA, got %+v", p, reqs)
		}
	}
}
