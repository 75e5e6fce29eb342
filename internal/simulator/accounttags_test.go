package simulator

import (
	"maps"
	"net/http"
	"slices"
	"testing"
)

func tagCounts(t *testing.T, tags []Tag) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tag := range tags {
		if tag.Resources.Count != tag.Resources.FlexMetalServers.Count {
			t.Fatalf("tag %+v: total and server counts disagree", tag)
		}
		out[tag.Tag] = tag.Resources.Count
	}
	return out
}

func tagNames(tags []Tag) []string {
	out := []string{}
	for _, t := range tags {
		out = append(out, t.Tag)
	}
	return out
}

func (h *harness) listTags(opts ...opt) []Tag {
	h.t.Helper()
	return decode[[]Tag](h.t, h.do(http.MethodGet, "/v3/flexMetal/tags", nil, opts...).expect(h.t, http.StatusOK))
}

func TestAccountTags_ListEveryTagWithServerCounts(t *testing.T) {
	h := newHarness(t, Config{})
	ordered := validRequest("a")
	ordered.Tags = []string{"env:dev", "role:web"}
	a := h.create(ordered)
	ordered.Name, ordered.Tags = "b", []string{"env:dev"}
	b := h.create(ordered)
	c := h.create(validRequest("c"))
	h.do(http.MethodPost, "/v3/flexMetal/servers/"+c.UUID+"/tag/added", nil).expect(t, http.StatusOK)
	if err := h.sim.SetServerTags(c.UUID, []string{"added", "out-of-band"}); err != nil {
		t.Fatal(err)
	}
	h.do(http.MethodPost, "/v3/flexMetal/tags", TagRequest{Tag: "unused"}).expect(t, http.StatusOK)
	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+a.UUID+"/tag/role:web", nil).expect(t, http.StatusOK)
	h.do(http.MethodDelete, "/v3/flexMetal/servers/"+b.UUID, nil).expect(t, http.StatusOK)

	got := h.listTags()
	if want := []string{"added", "env:dev", "out-of-band", "role:web", "unused"}; !slices.Equal(tagNames(got), want) {
		t.Fatalf("tags %v, want %v", tagNames(got), want)
	}
	// b is releasing and still counts; once released it does not.
	want := map[string]int{"added": 1, "env:dev": 2, "out-of-band": 1, "role:web": 0, "unused": 0}
	if counts := tagCounts(t, got); !maps.Equal(counts, want) {
		t.Fatalf("counts %v, want %v", counts, want)
	}
	h.clock.Advance(testRelease)
	if n := tagCounts(t, h.listTags())["env:dev"]; n != 1 {
		t.Fatalf("env:dev counted %d servers after b was released, want 1", n)
	}
	if !slices.Equal(h.sim.Tags(), h.listTags()) {
		t.Fatalf("Tags() = %+v, want what the endpoint lists", h.sim.Tags())
	}

	page := h.listTags(withRange("start=1,results=2"))
	if !slices.Equal(tagNames(page), []string{"env:dev", "out-of-band"}) {
		t.Fatalf("page %v", tagNames(page))
	}
	h.do(http.MethodGet, "/v3/flexMetal/tags", nil, withRange("start=x")).expect(t, http.StatusBadRequest)
}

func TestAccountTags_CreateAndGet(t *testing.T) {
	h := newHarness(t, Config{})
	created := decode[[]Tag](t, h.do(http.MethodPost, "/v3/flexMetal/tags", `{"tag": "team:ops", "resources": {"count": 7}}`).expect(t, http.StatusOK))
	if len(created) != 1 || created[0].Tag != "team:ops" || created[0].Resources.Count != 0 {
		t.Fatalf("POST answered %+v, want [team:ops with no servers]", created)
	}
	got := decode[[]Tag](t, h.do(http.MethodGet, "/v3/flexMetal/tags/team:ops", nil).expect(t, http.StatusOK))
	if !slices.Equal(got, created) {
		t.Fatalf("GET answered %+v, want %+v", got, created)
	}

	tests := []struct {
		name     string
		body     any
		status   int
		code     int
		property string
	}{
		{"exists", TagRequest{Tag: "team:ops"}, http.StatusConflict, ErrCodeConflict, "tag"},
		{"invalid", TagRequest{Tag: "has space"}, http.StatusUnprocessableEntity, ErrCodeValidation, "tag"},
		{"empty", TagRequest{}, http.StatusUnprocessableEntity, ErrCodeValidation, "tag"},
		{"unknown property", `{"name": "x"}`, http.StatusBadRequest, ErrCodeBadRequest, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := h.do(http.MethodPost, "/v3/flexMetal/tags", tt.body).expect(t, tt.status).apiError(t)
			if e.ErrorCode != tt.code || !slices.Equal(properties(e), []string{tt.property}) {
				t.Fatalf("got %+v, want code %d on %s", e, tt.code, tt.property)
			}
		})
	}
	h.do(http.MethodGet, "/v3/flexMetal/tags/nope", nil).expect(t, http.StatusNotFound)

	if err := h.sim.CreateTag("seeded"); err != nil {
		t.Fatal(err)
	}
	if err := h.sim.CreateTag("seeded"); !errorsIs(err, ErrConflict) {
		t.Fatalf("CreateTag twice: %v, want ErrConflict", err)
	}
	if err := h.sim.CreateTag("bad tag"); !errorsIs(err, ErrValidation) {
		t.Fatalf("CreateTag(bad tag): %v, want ErrValidation", err)
	}
}

func TestAccountTags_RenameMovesEveryServer(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("a")
	req.Tags = []string{"first", "old", "last"}
	a := h.create(req)
	req.Name, req.Tags = "b", []string{"old"}
	b := h.create(req)
	h.create(validRequest("c"))
	if err := h.sim.CreateTag("taken"); err != nil {
		t.Fatal(err)
	}

	renamed := decode[[]Tag](t, h.do(http.MethodPut, "/v3/flexMetal/tags/old", TagRequest{Tag: "new"}).expect(t, http.StatusOK))
	if len(renamed) != 1 || renamed[0].Tag != "new" || renamed[0].Resources.Count != 2 {
		t.Fatalf("PUT answered %+v, want [new on 2 servers]", renamed)
	}
	if got := h.get(a.UUID).server(t).Tags; !slices.Equal(got, []string{"first", "new", "last"}) {
		t.Fatalf("a's tags %v, want the tag renamed in place", got)
	}
	if got := h.get(b.UUID).server(t).Tags; !slices.Equal(got, []string{"new"}) {
		t.Fatalf("b's tags %v", got)
	}
	if got := tagNames(h.listTags()); !slices.Equal(got, []string{"first", "last", "new", "taken"}) {
		t.Fatalf("tags %v after rename", got)
	}
	if got := decode[[]ServerResponse](t, h.do(http.MethodGet, "/v3/flexMetal/servers?tag=new", nil)); len(got) != 2 {
		t.Fatalf("filtering by the new name finds %d servers, want 2", len(got))
	}

	tests := []struct {
		name, path string
		body       any
		status     int
	}{
		{"to its own name", "/v3/flexMetal/tags/new", TagRequest{Tag: "new"}, http.StatusOK},
		{"to an existing tag", "/v3/flexMetal/tags/new", TagRequest{Tag: "taken"}, http.StatusConflict},
		{"to an invalid name", "/v3/flexMetal/tags/new", TagRequest{Tag: "a/b"}, http.StatusUnprocessableEntity},
		{"unknown tag", "/v3/flexMetal/tags/old", TagRequest{Tag: "other"}, http.StatusNotFound},
		{"empty body", "/v3/flexMetal/tags/new", "", http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.do(http.MethodPut, tt.path, tt.body).expect(t, tt.status)
		})
	}
	if got := h.get(a.UUID).server(t).Tags; !slices.Equal(got, []string{"first", "new", "last"}) {
		t.Fatalf("refused renames changed a's tags to %v", got)
	}
}

func TestAccountTags_DeleteRemovesItFromServers(t *testing.T) {
	h := newHarness(t, Config{})
	req := validRequest("a")
	req.Tags = []string{"keep", "drop"}
	a := h.create(req)

	r := h.do(http.MethodDelete, "/v3/flexMetal/tags/drop", nil).expect(t, http.StatusNoContent)
	if len(r.body) != 0 {
		t.Fatalf("DELETE body %q, want empty", r.body)
	}
	if got := h.get(a.UUID).server(t).Tags; !slices.Equal(got, []string{"keep"}) {
		t.Fatalf("tags %v, want [keep]", got)
	}
	if got := tagNames(h.listTags()); !slices.Equal(got, []string{"keep"}) {
		t.Fatalf("tags %v, want [keep]", got)
	}
	h.do(http.MethodDelete, "/v3/flexMetal/tags/drop", nil).expect(t, http.StatusNotFound)
	// The name is free again.
	h.do(http.MethodPost, "/v3/flexMetal/tags", TagRequest{Tag: "drop"}).expect(t, http.StatusOK)
}
