package simulator

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

type handlerFunc func(s *Simulator, c *call) response

// serverHandlerFunc handles a route under /v3/flexMetal/servers/{uuid}, given that server.
type serverHandlerFunc func(s *Simulator, c *call, sv *server) response

// onServer looks the {uuid} server up before h runs, so every route under a server answers a
// missing one (or one past retention) with the same 404, before reading anything else.
func onServer(h serverHandlerFunc) handlerFunc {
	return func(s *Simulator, c *call) response {
		sv, err := s.lookup(c.params["uuid"], c.now)
		if err != nil {
			return errorResponse(err)
		}
		return h(s, c, sv)
	}
}

type route struct {
	segments []string // "{name}" segments capture a path parameter
	methods  map[string]handlerFunc
}

var routes = []route{
	{segments: split("v3/flexMetal/location"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).listLocations,
	}},
	{segments: split("v3/flexMetal/location/{locationId}/instanceTypes"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).listInstanceTypes,
	}},
	{segments: split("v3/flexMetal/plans"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).listPlans,
	}},
	{segments: split("v3/operatingsystem"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).listOperatingSystems,
	}},
	{segments: split("v3/sshKey"), methods: map[string]handlerFunc{
		http.MethodGet:  (*Simulator).listSSHKeys,
		http.MethodPost: (*Simulator).createSSHKey,
	}},
	{segments: split("v3/sshKey/{uuid}"), methods: map[string]handlerFunc{
		http.MethodGet:    (*Simulator).getSSHKey,
		http.MethodDelete: (*Simulator).deleteSSHKey,
	}},
	{segments: split("v3/flexMetal/servers"), methods: map[string]handlerFunc{
		http.MethodGet:  (*Simulator).listServers,
		http.MethodPost: (*Simulator).createServer,
	}},
	{segments: split("v3/flexMetal/servers/{uuid}"), methods: map[string]handlerFunc{
		http.MethodGet:    onServer((*Simulator).getServer),
		http.MethodPatch:  onServer((*Simulator).reinstallServer),
		http.MethodDelete: onServer((*Simulator).releaseServer),
	}},
	{segments: split("v3/flexMetal/servers/{uuid}/commands"), methods: map[string]handlerFunc{
		http.MethodGet: onServer((*Simulator).listCommands),
	}},
	{segments: split("v3/flexMetal/servers/{uuid}/rootPassword"), methods: map[string]handlerFunc{
		http.MethodGet: onServer((*Simulator).getRootPassword),
	}},
	{segments: split("v3/flexMetal/servers/{uuid}/tag/{tag}"), methods: map[string]handlerFunc{
		http.MethodPost:   onServer((*Simulator).addTag),
		http.MethodDelete: onServer((*Simulator).removeTag),
	}},
	{segments: split("v3/flexMetal/tags"), methods: map[string]handlerFunc{
		http.MethodGet:  (*Simulator).listTags,
		http.MethodPost: (*Simulator).postTag,
	}},
	{segments: split("v3/flexMetal/tags/{tag}"), methods: map[string]handlerFunc{
		http.MethodGet:    (*Simulator).getTag,
		http.MethodPut:    (*Simulator).renameTag,
		http.MethodDelete: (*Simulator).deleteTag,
	}},
	{segments: split("v3/flexMetal/quota/usage"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).getQuotaUsage,
	}},
	{segments: split("v3/flexMetal/capacity/commit"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).getCapacityCommits,
	}},
	{segments: split("v3/flexMetal/usage"), methods: map[string]handlerFunc{
		http.MethodGet: (*Simulator).getUsage,
	}},
}

func split(path string) []string { return strings.Split(path, "/") }

// route matches the escaped path segment by segment, so an escaped "/" inside a tag stays in
// the tag instead of changing the route. A trailing slash is tolerated because the guide
// itself writes "/v3/flexMetal/location/".
func (s *Simulator) route(r *http.Request) (handlerFunc, map[string]string, error) {
	path := strings.TrimPrefix(r.URL.EscapedPath(), "/")
	path = strings.TrimSuffix(path, "/")
	raw := strings.Split(path, "/")
	segments := make([]string, len(raw))
	for i, seg := range raw {
		u, err := url.PathUnescape(seg)
		if err != nil {
			return nil, nil, routeNotFound(r)
		}
		segments[i] = u
	}
	for _, rt := range routes {
		params, ok := rt.match(segments)
		if !ok {
			continue
		}
		if h, ok := rt.methods[r.Method]; ok {
			return h, params, nil
		}
		allowed := make([]string, 0, len(rt.methods))
		for m := range rt.methods {
			allowed = append(allowed, m)
		}
		sort.Strings(allowed)
		return nil, nil, &methodNotAllowed{allow: strings.Join(allowed, ", "), method: r.Method}
	}
	return nil, nil, routeNotFound(r)
}

func (rt route) match(segments []string) (map[string]string, bool) {
	if len(segments) != len(rt.segments) {
		return nil, false
	}
	params := map[string]string{}
	for i, want := range rt.segments {
		if strings.HasPrefix(want, "{") {
			if segments[i] == "" {
				return nil, false
			}
			params[strings.Trim(want, "{}")] = segments[i]
			continue
		}
		if segments[i] != want {
			return nil, false
		}
	}
	return params, true
}

func routeNotFound(r *http.Request) *APIError {
	return &APIError{Status: http.StatusNotFound, Code: ErrCodeRouteNotFound, Message: "No route for " + r.Method + " " + r.URL.Path}
}

// methodNotAllowed carries the Allow header value alongside the error body.
type methodNotAllowed struct {
	allow, method string
}

// Error lets route report the mismatch through its error result.
func (e *methodNotAllowed) Error() string { return "method " + e.method + " not allowed" }

func (e *methodNotAllowed) response() response {
	resp := errorResponse(&APIError{Status: http.StatusMethodNotAllowed, Code: ErrCodeMethodNotAllowed, Message: "Method " + e.method + " not allowed"})
	resp.header = http.Header{"Allow": {e.allow}}
	return resp
}
