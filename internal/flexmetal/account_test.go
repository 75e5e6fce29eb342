package flexmetal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

const tagsPath = "/v3/flexMetal/tags"

func TestAccountQuotas_flattensLocationsIntoOneLinePerQuota(t *testing.T) {
	body := `[
		{"location":{"id":18,"name":"EU: Rotterdam"},"quotaUsage":[
			{"instanceType":{"id":128,"name":"bm7.std.8"},"quotaType":"onDemand","contractId":"","quota":5,"usage":3},
			{"instanceType":{"id":128,"name":"bm7.std.8"},"quotaType":"commit","contractId":"JD-NB2UU6VX732","quota":10,"usage":0}
		]},
		{"location":{"id":6,"name":"US: Los Angeles"},"quotaUsage":[
			{"instanceType":{"id":129,"name":"bm9.hmm.16"},"quotaType":"onDemand","contractId":null,"quota":2,"usage":2}
		]},
		{"location":{"id":7,"name":"Empty"},"quotaUsage":[]}
	]`
	api, rec := newAPI(t, scripted(t, okJSON(body)))
	c := newClient(t, api.URL)
	got, err := c.Account.Quotas(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []flexmetal.Quota{
		{LocationID: 18, Location: "EU: Rotterdam", InstanceTypeID: 128, InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeOnDemand, Quota: 5, Usage: 3},
		{LocationID: 18, Location: "EU: Rotterdam", InstanceTypeID: 128, InstanceType: "bm7.std.8", Type: flexmetal.QuotaTypeCommit, ContractID: "JD-NB2UU6VX732", Quota: 10},
		{LocationID: 6, Location: "US: Los Angeles", InstanceTypeID: 129, InstanceType: "bm9.hmm.16", Type: flexmetal.QuotaTypeOnDemand, Quota: 2, Usage: 2},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Quotas =\n%+v\nwant\n%+v", got, want)
	}
	r := rec.only(t)
	if r.Method != http.MethodGet || r.RequestURI != "/v3/flexMetal/quota/usage" || r.Header.Get("RANGED-DATA") != "" {
		t.Errorf("request = %s %s (RANGED-DATA %q), want one unranged GET", r.Method, r.RequestURI, r.Header.Get("RANGED-DATA"))
	}
}

func TestAccountQuotas_emptyAnswerIsAnEmptyList(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[]`)))
	c := newClient(t, api.URL)
	got, err := c.Account.Quotas(context.Background())
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("Quotas = %#v, %v; want an empty, non-nil list", got, err)
	}
}

func TestAccountCapacityCommits_keepsFullLocationAndInstanceType(t *testing.T) {
	body := `[{"location":{"id":18,"name":"EU: Rotterdam","shortName":"rtm","displayName":"Rotterdam","countryId":150,"countryName":"Netherlands","countryShortName":"NL"},
		"commits":[{"instanceType":{"id":128,"locationId":18,"name":"bm7.std.8","sockets":1,"cores":8,"memory":64,"memoryType":"DDR5","storage":960,"storageType":"NVMe","generationName":"bm7"},"capacity":10,"inUse":4}]}]`
	api, rec := newAPI(t, scripted(t, okJSON(body)))
	c := newClient(t, api.URL)
	got, err := c.Account.CapacityCommits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []flexmetal.CapacityCommit{{
		Location:     flexmetal.Location{ID: 18, Name: "EU: Rotterdam", ShortName: "rtm", DisplayName: "Rotterdam", CountryID: 150, CountryName: "Netherlands", CountryShortName: "NL"},
		InstanceType: flexmetal.InstanceType{ID: 128, LocationID: 18, Name: "bm7.std.8", Sockets: 1, Cores: 8, Memory: 64, MemoryType: "DDR5", Storage: 960, StorageType: "NVMe", GenerationName: "bm7"},
		Capacity:     10, InUse: 4,
	}}
	if !slices.Equal(got, want) {
		t.Errorf("CapacityCommits =\n%+v\nwant\n%+v", got, want)
	}
	if r := rec.only(t); r.RequestURI != "/v3/flexMetal/capacity/commit" {
		t.Errorf("request = %s", r.RequestURI)
	}
}

func TestAccountUsage_sendsTheDatesAndDecodesEachServer(t *testing.T) {
	srv := serverObj("u1", "delivered")
	body := mustJSON(t, []any{
		map[string]any{"server": srv, "startedAt": "2025-06-01T00:00:00+00:00", "endedAt": "2025-06-30T12:00:00+00:00", "totalHours": 708, "totalMinutes": 42480, "bandwidthIn": 1234, "bandwidthOut": 5678},
		map[string]any{"server": serverObj("u2", "provisioning"), "startedAt": 1748736000, "endedAt": nil, "totalHours": 1, "totalMinutes": 60, "bandwidthIn": 0},
	})
	api, rec := newAPI(t, scripted(t, okJSON(body)))
	c := newClient(t, api.URL)
	got, err := c.Account.Usage(context.Background(), flexmetal.UsageOptions{
		From: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := rec.only(t); r.Query.Get("startDate") != "2025-06-01" || r.Query.Get("endDate") != "2025-06-30" || r.Path != "/v3/flexMetal/usage" {
		t.Errorf("request = %s, want startDate and endDate as YYYY-MM-DD", r.RequestURI)
	}
	if len(got) != 2 {
		t.Fatalf("Usage = %+v, want 2 entries", got)
	}
	u := got[0]
	if u.Server == nil || u.Server.UUID != "u1" || u.Server.Status != "delivered" || u.TotalHours != 708 || u.TotalMinutes != 42480 || u.BandwidthIn != 1234 {
		t.Errorf("usage[0] = %+v (server %+v)", u, u.Server)
	}
	// The docs' example has bandwidthOut; the published schema does not: absent stays nil.
	if u.BandwidthOut == nil || *u.BandwidthOut != 5678 || got[1].BandwidthOut != nil {
		t.Errorf("bandwidthOut = %v and %v, want 5678 and nil (absent)", u.BandwidthOut, got[1].BandwidthOut)
	}
	if !u.StartedAt.Equal(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)) || !u.EndedAt.Equal(time.Date(2025, 6, 30, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("usage[0] period = %s – %s", u.StartedAt, u.EndedAt)
	}
	if got[1].StartedAt.Unix() != 1748736000 || !got[1].EndedAt.IsZero() {
		t.Errorf("usage[1] period = %s – %s, want Unix seconds read and a null end as zero", got[1].StartedAt, got[1].EndedAt)
	}
}

func TestAccountUsage_withoutDatesSendsNoQuery(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(`[]`)))
	c := newClient(t, api.URL)
	if _, err := c.Account.Usage(context.Background(), flexmetal.UsageOptions{}); err != nil {
		t.Fatal(err)
	}
	if r := rec.only(t); r.RequestURI != "/v3/flexMetal/usage" {
		t.Errorf("request = %s, want no query", r.RequestURI)
	}
}

func tagObj(name string, servers int) map[string]any {
	return map[string]any{"tag": name, "resources": map[string]any{"count": servers, "flexMetalServers": map[string]any{"count": servers}}}
}

func TestTagsList_pagesWithRangedDataAndDecodesCounts(t *testing.T) {
	all := make([]map[string]any, 60)
	for i := range all {
		all[i] = tagObj(fmt.Sprintf("tag-%02d", i), i)
	}
	api, rec := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start, results, err := parseRangedData(r.Header.Get("RANGED-DATA"))
		if err != nil {
			t.Error(err)
		}
		okJSON(mustJSON(t, all[min(start, len(all)):min(start+results, len(all))])).serve(t, w)
	}))
	c := newClient(t, api.URL)
	tags, err := c.Tags.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(tags) != 60 || *tags[59] != (flexmetal.Tag{Name: "tag-59", Resources: 59, Servers: 59}) {
		t.Fatalf("List = %d tags, last %+v", len(tags), tags[len(tags)-1])
	}
	var ranges []string
	for _, r := range rec.all() {
		if r.Method != http.MethodGet || r.Path != tagsPath {
			t.Errorf("unexpected request %s %s", r.Method, r.RequestURI)
		}
		ranges = append(ranges, r.Header.Get("RANGED-DATA"))
	}
	if want := []string{"start=0,results=50", "start=50,results=50"}; !slices.Equal(ranges, want) {
		t.Errorf("RANGED-DATA = %q, want %q", ranges, want)
	}
}

func TestTagsGet_escapesTheNameAndReportsNotFound(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(mustJSON(t, []any{tagObj("env:dev prod", 2)})), reply{status: 404, body: notFoundBody}))
	c := newClient(t, api.URL)
	tag, err := c.Tags.Get(context.Background(), "env:dev prod")
	if err != nil || *tag != (flexmetal.Tag{Name: "env:dev prod", Resources: 2, Servers: 2}) {
		t.Fatalf("Get = %+v, %v", tag, err)
	}
	if r := rec.all()[0]; r.RequestURI != tagsPath+"/env:dev%20prod" {
		t.Errorf("request = %s, want the name as one escaped segment", r.RequestURI)
	}
	if _, err := c.Tags.Get(context.Background(), "gone"); !flexmetal.IsNotFound(err) {
		t.Errorf("Get(gone) err = %v, want IsNotFound", err)
	}
}

func TestTagsCreate_postsOnlyTheName(t *testing.T) {
	api, rec := newAPI(t, scripted(t, okJSON(mustJSON(t, []any{tagObj("team_a", 0)}))))
	c := newClient(t, api.URL)
	tag, err := c.Tags.Create(context.Background(), "team_a")
	if err != nil || tag.Name != "team_a" {
		t.Fatalf("Create = %+v, %v", tag, err)
	}
	r := rec.only(t)
	if r.Method != http.MethodPost || r.Path != tagsPath || string(r.Body) != `{"tag":"team_a"}` {
		t.Errorf("request = %s %s %s, want POST of {\"tag\":\"team_a\"}", r.Method, r.RequestURI, r.Body)
	}
}

func TestTagsCreate_errorsAreTypedAndNotRetried(t *testing.T) {
	for name, tc := range map[string]struct {
		answer reply
		is     func(error) bool
	}{
		"422": {reply{status: 422, body: `{"errorCode":422,"errorMessage":"Unprocessable content","errors":[{"property":"tag","message":"tag already exists"}]}`}, flexmetal.IsValidation},
		"409": {statusReply(409), flexmetal.IsConflict},
	} {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, scripted(t, tc.answer))
			c := newClient(t, api.URL)
			_, err := c.Tags.Create(context.Background(), "team_a")
			if !tc.is(err) {
				t.Errorf("err = %v, want the %s", err, name)
			}
			_ = asAPIError(t, err)
			if rec.total() != 1 {
				t.Errorf("requests = %v, want one POST", describe(rec.all()))
			}
		})
	}
}

func TestTagsCreate_lostAnswerIsResolvedByLookingTheTagUp(t *testing.T) {
	t.Run("the tag exists", func(t *testing.T) {
		api, rec := newAPI(t, routes(t, map[string]http.Handler{
			"POST " + tagsPath:         scripted(t, statusReply(502)),
			"GET " + tagsPath + "/t-1": scripted(t, okJSON(mustJSON(t, []any{tagObj("t-1", 0)}))),
		}))
		c := newClient(t, api.URL)
		tag, err := c.Tags.Create(context.Background(), "t-1")
		if err != nil || tag.Name != "t-1" {
			t.Errorf("Create = %+v, %v; want the tag found after the lost answer", tag, err)
		}
		if n := rec.countMethod(http.MethodPost, tagsPath); n != 1 {
			t.Errorf("%d POSTs, want 1", n)
		}
	})
	t.Run("the tag does not exist", func(t *testing.T) {
		api, rec := newAPI(t, routes(t, map[string]http.Handler{
			"POST " + tagsPath:         scripted(t, dropReply()),
			"GET " + tagsPath + "/t-1": scripted(t, reply{status: 404, body: notFoundBody}),
		}))
		c := newClient(t, api.URL, freshConnections())
		_, err := c.Tags.Create(context.Background(), "t-1")
		var tErr *flexmetal.TransportError
		if !errors.As(err, &tErr) {
			t.Errorf("err = %v (%T), want the original *TransportError", err, err)
		}
		if n := rec.countMethod(http.MethodPost, tagsPath); n != 1 {
			t.Errorf("%d POSTs, want 1", n)
		}
	})
}

func TestTagsRename_putsTheNewNameAndTypesConflicts(t *testing.T) {
	api, rec := newAPI(t, scripted(t,
		okJSON(mustJSON(t, []any{tagObj("new", 3)})),
		reply{status: 409, body: `{"errorCode":409,"errorMessage":"New tag name already exists","errors":[]}`},
		reply{status: 404, body: notFoundBody}))
	c := newClient(t, api.URL)
	tag, err := c.Tags.Rename(context.Background(), "old", "new")
	if err != nil || *tag != (flexmetal.Tag{Name: "new", Resources: 3, Servers: 3}) {
		t.Fatalf("Rename = %+v, %v", tag, err)
	}
	r := rec.all()[0]
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatal(err)
	}
	if r.Method != http.MethodPut || r.Path != tagsPath+"/old" || len(body) != 1 || body["tag"] != "new" {
		t.Errorf("request = %s %s %s, want PUT /tags/old with {\"tag\":\"new\"}", r.Method, r.RequestURI, r.Body)
	}
	_, err = c.Tags.Rename(context.Background(), "old", "taken")
	if !flexmetal.IsConflict(err) || flexmetal.IsValidation(err) {
		t.Errorf("err = %v, want IsConflict (and not IsValidation)", err)
	}
	if _, err := c.Tags.Rename(context.Background(), "missing", "x"); !flexmetal.IsNotFound(err) {
		t.Errorf("err = %v, want IsNotFound", err)
	}
}

func TestTagsDelete(t *testing.T) {
	api, rec := newAPI(t, scripted(t, reply{status: http.StatusNoContent}, reply{status: 404, body: notFoundBody}))
	c := newClient(t, api.URL)
	if err := c.Tags.Delete(context.Background(), "env:dev"); err != nil {
		t.Fatal(err)
	}
	if r := rec.all()[0]; r.Method != http.MethodDelete || r.RequestURI != tagsPath+"/env:dev" {
		t.Errorf("request = %s %s", r.Method, r.RequestURI)
	}
	if err := c.Tags.Delete(context.Background(), "env:dev"); !flexmetal.IsNotFound(err) {
		t.Errorf("second Delete err = %v, want IsNotFound", err)
	}
}

func TestTags_namesThatCannotBeAddressedAreRefusedLocally(t *testing.T) {
	api, rec := newAPI(t, http.NotFoundHandler())
	c := newClient(t, api.URL)
	ctx := context.Background()
	if _, err := c.Tags.Get(ctx, "a/b"); err == nil {
		t.Error(`Get("a/b") succeeded`)
	}
	if _, err := c.Tags.Create(ctx, ""); err == nil {
		t.Error(`Create("") succeeded`)
	}
	if _, err := c.Tags.Rename(ctx, "a", "b/c"); err == nil {
		t.Error(`Rename to "b/c" succeeded`)
	}
	if err := c.Tags.Delete(ctx, "../servers"); err == nil {
		t.Error(`Delete("../servers") succeeded`)
	}
	if rec.total() != 0 {
		t.Errorf("requests = %v, want none", describe(rec.all()))
	}
}

func TestIsConflict(t *testing.T) {
	cases := map[string]struct {
		err  error
		want bool
	}{
		"409":         {&flexmetal.APIError{StatusCode: 409}, true},
		"wrapped 409": {fmt.Errorf("renaming: %w", &flexmetal.APIError{StatusCode: 409}), true},
		"422":         {&flexmetal.APIError{StatusCode: 422}, false},
		"plain error": {errors.New("409"), false},
		"nil":         {nil, false},
	}
	for name, tc := range cases {
		if got := flexmetal.IsConflict(tc.err); got != tc.want {
			t.Errorf("%s: IsConflict = %v, want %v", name, got, tc.want)
		}
	}
}
