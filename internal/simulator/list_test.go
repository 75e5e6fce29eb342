package simulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"
)

func names(servers []ServerResponse) []string {
	out := make([]string, len(servers))
	for i, s := range servers {
		out[i] = s.Name
	}
	return out
}

func TestList_FiltersByStatusAndAllTags(t *testing.T) {
	h := newHarness(t, Config{})
	tagged := func(name string, tags ...string) CreateServerRequest {
		r := validRequest(name)
		r.Tags = tags
		return r
	}
	h.seed(tagged("old-dev-web", "env:dev", "role:web"))
	h.clock.Advance(9 * testStep) // the first server is delivered, the rest are fresh
	h.seed(tagged("dev-web", "env:dev", "role:web"))
	h.seed(tagged("dev-db", "env:dev", "role:db"))
	h.seed(tagged("prod-web", "env:prod", "role:web"))

	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"no filter", nil, []string{"old-dev-web", "dev-web", "dev-db", "prod-web"}},
		{"status delivered", url.Values{"status": {StatusDelivered}}, []string{"old-dev-web"}},
		{"status created", url.Values{"status": {StatusCreated}}, []string{"dev-web", "dev-db", "prod-web"}},
		{"unknown status matches nothing", url.Values{"status": {"creating"}}, []string{}},
		{"one tag", url.Values{"tag": {"role:web"}}, []string{"old-dev-web", "dev-web", "prod-web"}},
		{"all tags must match", url.Values{"tag": {"env:dev", "role:web"}}, []string{"old-dev-web", "dev-web"}},
		{"tags and status", url.Values{"tag": {"env:dev", "role:web"}, "status": {StatusCreated}}, []string{"dev-web"}},
		{"tag nobody has", url.Values{"tag": {"env:dev", "nope"}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v3/flexMetal/servers"
			if tt.query != nil {
				path += "?" + tt.query.Encode()
			}
			got := names(decode[[]ServerResponse](t, h.do(http.MethodGet, path, nil).expect(t, http.StatusOK)))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestList_EmptyIsAnArrayNotNull(t *testing.T) {
	h := newHarness(t, Config{})
	for _, path := range []string{"/v3/flexMetal/servers", "/v3/sshKey"} {
		if got := string(h.do(http.MethodGet, path, nil).expect(t, http.StatusOK).body); got != "[]\n" {
			t.Fatalf("%s: body %q, want []", path, got)
		}
	}
}

func TestPagination_RangedData(t *testing.T) {
	h := newHarness(t, Config{})
	var all []string
	for i := range 60 {
		name := fmt.Sprintf("srv-%02d", i)
		h.seed(validRequest(name))
		all = append(all, name)
		h.clock.Advance(time.Second)
	}

	tests := []struct {
		name   string
		header string
		want   []string
	}{
		{"default page is 15", "", all[:15]},
		{"start and results", "start=10,results=5", all[10:15]},
		{"spaces tolerated", " start = 20 , results = 3 ", all[20:23]},
		{"results capped at 50", "start=0,results=500", all[:50]},
		{"last partial page", "start=50,results=50", all[50:]},
		{"past the end is empty", "start=60,results=10", []string{}},
		{"results alone starts at 0", "results=2", all[:2]},
		{"start alone uses default size", "start=40", all[40:55]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var opts []opt
			if tt.header != "" {
				opts = append(opts, withRange(tt.header))
			}
			got := names(decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil, opts...).expect(t, http.StatusOK)))
			if !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPagination_ConfigurablePageSizes(t *testing.T) {
	h := newHarness(t, Config{DefaultPageSize: 4, MaxPageSize: 6})
	for i := range 10 {
		h.seed(validRequest(fmt.Sprintf("s%d", i)))
	}
	if n := len(decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil))); n != 4 {
		t.Fatalf("default page %d, want 4", n)
	}
	if n := len(decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil, withRange("start=0,results=50")))); n != 6 {
		t.Fatalf("capped page %d, want 6", n)
	}
}

func TestPagination_OrderIsStableForSameCreationTime(t *testing.T) {
	h := newHarness(t, Config{})
	for i := range 30 {
		h.seed(validRequest(fmt.Sprintf("same-time-%d", i)))
	}
	first := decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil, withRange("start=0,results=50")))
	for i := 1; i < len(first); i++ {
		if first[i-1].UUID >= first[i].UUID {
			t.Fatalf("servers created together are not ordered by uuid at %d", i)
		}
	}
	p1 := decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil, withRange("start=0,results=15")))
	p2 := decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers", nil, withRange("start=15,results=15")))
	if !slices.Equal(names(append(p1, p2...)), names(first)) {
		t.Fatal("two pages do not add up to the full list")
	}
}

func TestPagination_MalformedHeaderIs400(t *testing.T) {
	h := newHarness(t, Config{})
	for _, header := range []string{
		"start=0;results=5",
		"start=-1,results=5",
		"start=0,results=0",
		"start=x,results=5",
		"begin=0,results=5",
		"start=0,start=1",
		"garbage",
	} {
		for _, path := range []string{"/v3/flexMetal/servers", "/v3/sshKey"} {
			t.Run(path+" "+header, func(t *testing.T) {
				e := h.do(http.MethodGet, path, nil, withRange(header)).expect(t, http.StatusBadRequest).apiError(t)
				if e.ErrorCode != ErrCodeBadRequest || len(e.Errors) != 1 || e.Errors[0].Property != RangedDataHeader {
					t.Fatalf("got %+v, want bad request naming %s", e, RangedDataHeader)
				}
			})
		}
	}
}

func TestPagination_SSHKeys(t *testing.T) {
	h := newHarness(t, Config{})
	for i := range 20 {
		if _, err := h.sim.AddSSHKey(fmt.Sprintf("key-%02d", i), ExamplePublicKeyEd25519); err != nil {
			t.Fatal(err)
		}
		h.clock.Advance(time.Second)
	}
	page := decode[[]SSHKey](t, h.do(http.MethodGet, "/v3/sshKey", nil))
	if len(page) != 15 || page[0].Name != "key-00" {
		t.Fatalf("default page: %d keys starting %q, want 15 starting key-00", len(page), page[0].Name)
	}
	page = decode[[]SSHKey](t, h.do(http.MethodGet, "/v3/sshKey", nil, withRange("start=18,results=10")))
	if len(page) != 2 || page[0].Name != "key-18" {
		t.Fatalf("last page: %+v, want key-18 and key-19", page)
	}
}
