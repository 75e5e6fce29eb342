package flexmetal_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

func rangedHeaders(reqs []recordedRequest) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.Header.Get("RANGED-DATA")
	}
	return out
}

func TestServersList_pagesWithRangedDataUntilAShortPage(t *testing.T) {
	cases := []struct {
		name        string
		servers     int
		ignoreRange bool
		wantRanges  []string
	}{
		{"none", 0, false, []string{"start=0,results=50"}},
		{"one short page", 7, false, []string{"start=0,results=50"}},
		{"120 in three pages", 120, false, []string{"start=0,results=50", "start=50,results=50", "start=100,results=50"}},
		{"exactly 100 ends on an empty page", 100, false, []string{"start=0,results=50", "start=50,results=50", "start=100,results=50"}},
		{"exactly 50 ends on an empty page", 50, false, []string{"start=0,results=50", "start=50,results=50"}},
		{"header ignored with 60 at once", 60, true, []string{"start=0,results=50"}},
		// Repeating the same full page must not loop forever: the repeat adds nothing, so stop.
		{"header ignored with exactly 50", 50, true, []string{"start=0,results=50", "start=50,results=50"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFleet(t)
			f.ignoreRange = tc.ignoreRange
			var want []string
			for i := range tc.servers {
				id := fmt.Sprintf("srv-%03d", i)
				want = append(want, id)
				f.add(id, "delivered")
			}
			api, rec := newAPI(t, f)
			c := newClient(t, api.URL)
			// A deadline turns a client that pages forever into a failure instead of a hang.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			list, err := c.Servers.List(ctx, flexmetal.ListServersOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(list))
			for i, s := range list {
				got[i] = s.UUID
			}
			if !slices.Equal(got, want) {
				t.Errorf("List returned %d servers %v, want %d (each once, in order)", len(got), got, len(want))
			}
			if ranges := rangedHeaders(rec.all()); !slices.Equal(ranges, tc.wantRanges) {
				t.Errorf("RANGED-DATA per request = %q, want %q", ranges, tc.wantRanges)
			}
		})
	}
}

func TestServersList_filtersAreRepeatedOnEveryPage(t *testing.T) {
	f := newFleet(t)
	for i := range 70 {
		f.add(fmt.Sprintf("srv-%03d", i), "delivered")
	}
	for i := range 70 {
		f.servers[fmt.Sprintf("srv-%03d", i)].tags = []string{"env:dev", "team_a"}
	}
	f.add("other", "delivered") // untagged: filtered out
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL)
	list, err := c.Servers.List(context.Background(), flexmetal.ListServersOptions{Status: "delivered", Tags: []string{"env:dev", "team_a"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 70 {
		t.Errorf("List returned %d servers, want 70", len(list))
	}
	reqs := rec.all()
	if len(reqs) != 2 {
		t.Fatalf("got %d requests, want 2: %v", len(reqs), describe(reqs))
	}
	for i, r := range reqs {
		if !slices.Equal(r.Query["tag"], []string{"env:dev", "team_a"}) || r.Query.Get("status") != "delivered" {
			t.Errorf("request %d query = %v, want status=delivered and tag=env:dev&tag=team_a", i, r.Query)
		}
	}
}

func TestServersList_itemRepeatedAcrossShiftedPagesIsReturnedOnce(t *testing.T) {
	// Page 2 starts with the last item of page 1, as when a server was released between the
	// two requests and the window shifted.
	page := func(from, to int) string {
		items := make([]any, 0, to-from)
		for i := from; i < to; i++ {
			items = append(items, serverObj(fmt.Sprintf("srv-%03d", i), "delivered"))
		}
		return mustJSON(t, items)
	}
	api, rec := newAPI(t, scripted(t, okJSON(page(0, 50)), okJSON(page(49, 60))))
	c := newClient(t, api.URL)
	list, err := c.Servers.List(context.Background(), flexmetal.ListServersOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 60 {
		t.Errorf("List returned %d servers, want 60 distinct", len(list))
	}
	if rec.total() != 2 {
		t.Errorf("got %d requests, want 2", rec.total())
	}
}

func TestSSHKeysList_pagesAndStopsWhenEndpointIgnoresRangedData(t *testing.T) {
	keys := func(n int) string {
		items := make([]any, n)
		for i := range items {
			items[i] = map[string]any{"uuid": fmt.Sprintf("k%03d", i), "name": "n", "publicKey": "ssh-ed25519 AAAA", "createdAt": 1700000000}
		}
		return mustJSON(t, items)
	}
	cases := []struct {
		name      string
		keys      int
		wantCalls int
	}{
		{"ignores the header with 50 keys", 50, 2},
		{"ignores the header with 51 keys", 51, 1},
		{"ignores the header with 3 keys", 3, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			body := keys(tc.keys)
			api, rec := newAPI(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.WriteString(w, body) // whatever RANGED-DATA says
			}))
			c := newClient(t, api.URL)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := c.SSHKeys.List(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.keys {
				t.Errorf("List returned %d keys, want %d", len(got), tc.keys)
			}
			if rec.total() != tc.wantCalls {
				t.Errorf("got %d requests, want %d", rec.total(), tc.wantCalls)
			}
		})
	}
}
