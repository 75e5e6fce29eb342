package flexmetal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"
)

// The API contract check: GET every read endpoint the client uses and compare each answer with
// the wire type the client decodes it into. The expectations come from those types themselves
// (their json tags, Go kinds and custom decoders), so the check cannot drift from the client:
//
//   - a field is expected when the wire type has it; a key the type lacks is undecoded
//     (informational: the API may add fields);
//   - a field is optional, so absent or null is fine, when its Go type is a pointer or
//     json.RawMessage, or its json tag says omitempty; a `contract:"required"` or
//     `contract:"optional"` tag on the field overrides that where the client's tolerance differs
//     (a tag meant for a request body, a timestamp the client does without);
//   - a field is mistyped when its JSON type is not the Go kind's (number, string, boolean,
//     object, array), or, for a type with its own decoder, when decoding the value alone fails.

// EndpointReport is the outcome of checking one read endpoint.
type EndpointReport struct {
	// Endpoint is the method and path template, e.g. "GET /v3/flexMetal/servers/{uuid}".
	Endpoint string
	// NotChecked, when not empty, says why nothing was compared (no server in the account, an
	// empty answer): not a failure.
	NotChecked string
	// Items is how many objects the answer held.
	Items int
	// Undecoded are fields the API sent that the client ignores: informational.
	Undecoded []FieldIssue
	// Missing are fields the client needs that were absent or null: failures.
	Missing []FieldIssue
	// Mistyped are fields whose JSON type the client cannot decode: failures.
	Mistyped []FieldIssue
	// Err is why the request failed (an HTTP error status, an unreadable body): a failure.
	Err error
}

// Failed reports whether the endpoint broke the contract or could not be read.
func (r EndpointReport) Failed() bool {
	return r.Err != nil || len(r.Missing) > 0 || len(r.Mistyped) > 0
}

// FieldIssue names one field of an answer and JSON types, never its value: answers carry
// secrets (a root password) and personal data.
type FieldIssue struct {
	// Field is the field's path in one answer object, e.g. "ipAddresses[].ipAddress".
	Field string
	// Want is the JSON type the client decodes; empty for an undecoded field.
	Want string
	// Got is the JSON type the API sent, "absent" for a field it left out.
	Got string
}

// ContractOptions tunes CheckContract.
type ContractOptions struct {
	// RootPassword also checks GET /v3/flexMetal/servers/{uuid}/rootPassword on a delivered
	// Windows server. Off by default: its answer is a secret. The check never prints or keeps
	// values, but reading a live server's password should be a decision.
	RootPassword bool
	// Now dates the usage report's period (the last 30 days); default time.Now.
	Now func() time.Time
}

// CheckContract sends one GET to every read endpoint the client uses, taking path parameters
// (a server's uuid, a location's id) from the list answers, and reports per endpoint the fields
// the client does not decode and those it expects that are missing or of another type. Lists
// are read one page at a time, as the client pages them. Only GET requests leave: the client's
// transport is wrapped so that any other method is refused before it is sent.
//
// HTTP errors are reported per endpoint. The error is non-nil only when checking cannot go on:
// the API is unreachable, refuses the credentials, or ctx ended; the reports gathered so far
// are returned with it.
func CheckContract(ctx context.Context, c *Client, opts ContractOptions) ([]EndpointReport, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	k := &contractCheck{client: c.readOnly(), opts: opts}
	steps := []func(context.Context) error{
		k.locations, k.instanceTypes, k.plans, k.operatingSystems,
		k.sshKeys, k.sshKey,
		k.servers, k.server, k.commands, k.rootPassword,
		k.tags, k.tag,
		k.quotas, k.capacityCommits, k.usage,
	}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return k.reports, err
		}
	}
	return k.reports, nil
}

// readOnly is a copy of the client whose transport refuses every method but GET, so no code path
// of the contract check can change anything in the account.
func (c *Client) readOnly() *Client {
	ro := *c
	hc := *c.httpClient
	next := hc.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	hc.Transport = readOnlyTransport{next: next}
	ro.httpClient = &hc
	return &ro
}

// readOnlyTransport passes GET requests on and refuses all others without sending them.
type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodGet {
		if r.Body != nil {
			_ = r.Body.Close()
		}
		return nil, fmt.Errorf("refusing %s %s: the API contract check sends only GET requests", r.Method, r.URL.Path)
	}
	return t.next.RoundTrip(r)
}

// contractCheck carries what earlier answers revealed (ids for path parameters) to later steps.
type contractCheck struct {
	client  *Client
	opts    ContractOptions
	reports []EndpointReport

	locationList []Location
	windowsOS    map[string]bool
	keys         []sshKeyWire
	serverList   []serverWire
	tagList      []tagWire
}

// contractGet describes one GET of the check.
type contractGet struct {
	endpoint string
	path     string
	query    url.Values
	// paged lists are read one page with RANGED-DATA, as the client's listAll does.
	paged bool
	wire  reflect.Type
	// notFoundIsAnswer makes a 404 "not checked" with this reason rather than a failure, where
	// the client treats a 404 as an answer (an API without /plans, no root password).
	notFoundIsAnswer string
}

// get sends g, records its report and returns the body (nil when there is nothing to read ids
// from). Its error stops the check.
func (k *contractCheck) get(ctx context.Context, g contractGet) ([]byte, error) {
	req := request{method: http.MethodGet, path: g.path, query: g.query, idempotent: true}
	if g.paged {
		req.rangedData = fmt.Sprintf("start=0,results=%d", PageSize)
	}
	rep := EndpointReport{Endpoint: http.MethodGet + " " + g.endpoint}
	resp, err := k.client.do(ctx, req)
	if err != nil {
		if g.notFoundIsAnswer != "" && IsNotFound(err) {
			rep.NotChecked = g.notFoundIsAnswer
			k.reports = append(k.reports, rep)
			return nil, nil
		}
		rep.Err = err
		k.reports = append(k.reports, rep)
		if ctx.Err() != nil || IsUnreachable(err) || IsUnauthorized(err) {
			return nil, err // it names method and path
		}
		return nil, nil
	}
	rep = compareAnswer(rep, resp.body, g.wire)
	k.reports = append(k.reports, rep)
	if rep.Items == 0 {
		return nil, nil
	}
	return resp.body, nil
}

// skip records an endpoint that could not be asked, and why.
func (k *contractCheck) skip(endpoint, why string) {
	k.reports = append(k.reports, EndpointReport{Endpoint: http.MethodGet + " " + endpoint, NotChecked: why})
}

// ids decodes a list answer the way the client does, to take path parameters from it. An answer
// the client cannot decode is already reported as mistyped; it yields no ids.
func ids[T any](body []byte) []T {
	if body == nil {
		return nil
	}
	items, err := decodeList[T](&response{body: body}, request{method: http.MethodGet})
	if err != nil {
		return nil
	}
	return items
}

func wireOf[T any]() reflect.Type { return reflect.TypeFor[T]() }

func (k *contractCheck) locations(ctx context.Context) error {
	body, err := k.get(ctx, contractGet{endpoint: locationsPath, path: locationsPath, wire: wireOf[Location]()})
	k.locationList = ids[Location](body)
	return err
}

func (k *contractCheck) instanceTypes(ctx context.Context) error {
	const endpoint = locationsPath + "/{locationId}/instanceTypes"
	if len(k.locationList) == 0 {
		k.skip(endpoint, "no location to ask about")
		return nil
	}
	_, err := k.get(ctx, contractGet{endpoint: endpoint, path: instanceTypesPath(k.locationList[0].ID), wire: wireOf[InstanceType]()})
	return err
}

func (k *contractCheck) plans(ctx context.Context) error {
	_, err := k.get(ctx, contractGet{
		endpoint: plansPath, path: plansPath, wire: wireOf[Plan](),
		notFoundIsAnswer: "the API answered 404: it predates /plans, and the client falls back to the instance types",
	})
	return err
}

func (k *contractCheck) operatingSystems(ctx context.Context) error {
	body, err := k.get(ctx, contractGet{endpoint: operatingSystemsPath, path: operatingSystemsPath, wire: wireOf[OperatingSystem]()})
	k.windowsOS = map[string]bool{}
	for _, o := range ids[OperatingSystem](body) {
		if o.OSGroup == 1 {
			k.windowsOS[o.Slug] = true
		}
	}
	return err
}

func (k *contractCheck) sshKeys(ctx context.Context) error {
	body, err := k.get(ctx, contractGet{endpoint: sshKeysPath, path: sshKeysPath, paged: true, wire: wireOf[sshKeyWire]()})
	k.keys = ids[sshKeyWire](body)
	return err
}

func (k *contractCheck) sshKey(ctx context.Context) error {
	const endpoint = sshKeysPath + "/{uuid}"
	i := slices.IndexFunc(k.keys, func(w sshKeyWire) bool { return w.UUID != "" })
	if i < 0 {
		k.skip(endpoint, "no SSH key in the account")
		return nil
	}
	_, err := k.get(ctx, contractGet{endpoint: endpoint, path: sshKeysPath + "/" + k.keys[i].UUID, wire: wireOf[sshKeyWire]()})
	return err
}

func (k *contractCheck) servers(ctx context.Context) error {
	body, err := k.get(ctx, contractGet{endpoint: serversPath, path: serversPath, paged: true, wire: wireOf[serverWire]()})
	k.serverList = slices.DeleteFunc(ids[serverWire](body), func(w serverWire) bool { return w.UUID == "" })
	return err
}

// liveServers are the listed servers, those not released first: a released server may vanish
// at any moment.
func (k *contractCheck) liveServers() []serverWire {
	out := slices.Clone(k.serverList)
	slices.SortStableFunc(out, func(a, b serverWire) int {
		return boolRank(a.Status == StatusReleased || a.Status == StatusReleasing) - boolRank(b.Status == StatusReleased || b.Status == StatusReleasing)
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (k *contractCheck) server(ctx context.Context) error {
	const endpoint = serversPath + "/{uuid}"
	live := k.liveServers()
	if len(live) == 0 {
		k.skip(endpoint, "no server in the account")
		return nil
	}
	_, err := k.get(ctx, contractGet{endpoint: endpoint, path: serverPath(live[0].UUID), wire: wireOf[serverWire]()})
	return err
}

// maxCommandProbes bounds how many servers are asked for their commands until one has some: a
// server never reinstalled has none, and its empty answer shows no fields.
const maxCommandProbes = 5

func (k *contractCheck) commands(ctx context.Context) error {
	const endpoint = serversPath + "/{uuid}/commands"
	live := k.liveServers()
	if len(live) == 0 {
		k.skip(endpoint, "no server in the account")
		return nil
	}
	q := url.Values{"type": {CommandTypeUpdateServer}}
	probes := live[:min(len(live), maxCommandProbes)]
	for i, s := range probes {
		n := len(k.reports)
		if _, err := k.get(ctx, contractGet{endpoint: endpoint, path: commandsPath(s.UUID), query: q, wire: wireOf[commandWire]()}); err != nil {
			return err
		}
		switch {
		case k.reports[n].NotChecked == "":
			return nil
		case i < len(probes)-1:
			k.reports = k.reports[:n] // an empty answer: ask the next server instead
		default:
			k.reports[n].NotChecked = fmt.Sprintf("no reinstall command on the %d servers asked", len(probes))
		}
	}
	return nil
}

func (k *contractCheck) rootPassword(ctx context.Context) error {
	const endpoint = serversPath + "/{uuid}/rootPassword"
	if !k.opts.RootPassword {
		k.skip(endpoint, "its answer is a secret (-root-password checks it on a delivered Windows server)")
		return nil
	}
	i := slices.IndexFunc(k.serverList, func(w serverWire) bool { return w.Status == StatusDelivered && k.windowsOS[w.OS.Slug] })
	if i < 0 {
		k.skip(endpoint, "no delivered Windows server in the account")
		return nil
	}
	_, err := k.get(ctx, contractGet{
		endpoint: endpoint, path: rootPasswordPath(k.serverList[i].UUID), wire: wireOf[rootPasswordWire](),
		notFoundIsAnswer: "the API has no root password for the Windows server (404: more than 24 hours after delivery?)",
	})
	return err
}

func (k *contractCheck) tags(ctx context.Context) error {
	body, err := k.get(ctx, contractGet{endpoint: tagsPath, path: tagsPath, paged: true, wire: wireOf[tagWire]()})
	k.tagList = ids[tagWire](body)
	return err
}

func (k *contractCheck) tag(ctx context.Context) error {
	const endpoint = tagsPath + "/{tag}"
	for _, t := range k.tagList {
		if path, err := tagPath(t.Tag); err == nil {
			_, err := k.get(ctx, contractGet{endpoint: endpoint, path: path, wire: wireOf[tagWire]()})
			return err
		}
	}
	k.skip(endpoint, "no tag in the account")
	return nil
}

func (k *contractCheck) quotas(ctx context.Context) error {
	_, err := k.get(ctx, contractGet{endpoint: quotaUsagePath, path: quotaUsagePath, wire: wireOf[quotaLocationWire]()})
	return err
}

func (k *contractCheck) capacityCommits(ctx context.Context) error {
	_, err := k.get(ctx, contractGet{endpoint: capacityCommitPath, path: capacityCommitPath, wire: wireOf[capacityLocationWire]()})
	return err
}

// usagePeriod is how far back the usage report goes: long enough to hold a server in an account
// that has any.
const usagePeriod = 30 * 24 * time.Hour

func (k *contractCheck) usage(ctx context.Context) error {
	now := k.opts.Now().UTC()
	q := UsageOptions{From: now.Add(-usagePeriod), To: now}.query()
	_, err := k.get(ctx, contractGet{endpoint: usagePath + "?startDate&endDate", path: usagePath, query: q, wire: wireOf[serverUsageWire]()})
	return err
}

// compareAnswer compares an answer (an array of objects, a bare object, or nothing) with the wire
// type of one object.
func compareAnswer(rep EndpointReport, body []byte, wire reflect.Type) EndpointReport {
	w := &walker{undecoded: map[string]FieldIssue{}, missing: map[string]FieldIssue{}, mistyped: map[string]FieldIssue{}}
	data := bytes.TrimSpace(body)
	switch kind := jsonKind(data); kind {
	case "absent", "null":
	case "object":
		rep.Items = 1
		w.value("", data, wire)
	case "array":
		var items []json.RawMessage
		if err := json.Unmarshal(data, &items); err != nil {
			rep.Err = &ResponseError{Method: http.MethodGet, Path: rep.Endpoint, Err: err}
			return rep
		}
		rep.Items = len(items)
		for _, item := range items {
			w.value("", item, wire)
		}
	default:
		w.mistyped["(answer)"] = FieldIssue{Field: "(answer)", Want: "array of objects", Got: kind}
		rep.Items = 1
	}
	if rep.Items == 0 {
		rep.NotChecked = "the answer is an empty list"
	}
	rep.Undecoded, rep.Missing, rep.Mistyped = sortedIssues(w.undecoded), sortedIssues(w.missing), sortedIssues(w.mistyped)
	return rep
}

func sortedIssues(m map[string]FieldIssue) []FieldIssue {
	out := make([]FieldIssue, 0, len(m))
	for _, f := range m {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Field < out[j].Field })
	if len(out) == 0 {
		return nil
	}
	return out
}

// walker gathers the issues of every object of an answer, each field path once.
type walker struct {
	undecoded, missing, mistyped map[string]FieldIssue
}

var (
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
)

// contractValue is implemented by the client's custom wire types whose decoder accepts more than
// the API may send: checkContract says whether a value is one the client can use.
type contractValue interface {
	contractType() string
	checkContract(raw []byte) error
}

func (w *walker) value(path string, raw []byte, t reflect.Type) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	got := jsonKind(raw)
	want := jsonTypeOf(t)
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		// A custom type: the only honest test is its own decoder.
		v := reflect.New(t)
		err := json.Unmarshal(raw, v.Interface())
		if cv, ok := v.Interface().(contractValue); ok && err == nil {
			err = cv.checkContract(raw)
		}
		if err != nil {
			w.mistyped[path] = FieldIssue{Field: path, Want: want, Got: got}
		}
		return
	}
	switch t.Kind() {
	case reflect.Interface:
		return
	case reflect.Struct:
		if got != "object" {
			w.mistyped[path] = FieldIssue{Field: path, Want: want, Got: got}
			return
		}
		w.object(path, raw, t)
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if got != "array" || json.Unmarshal(raw, &items) != nil {
			w.mistyped[path] = FieldIssue{Field: path, Want: want, Got: got}
			return
		}
		for _, item := range items {
			w.value(path+"[]", item, t.Elem())
		}
	case reflect.Map:
		var items map[string]json.RawMessage
		if got != "object" || json.Unmarshal(raw, &items) != nil {
			w.mistyped[path] = FieldIssue{Field: path, Want: want, Got: got}
			return
		}
		for _, item := range items {
			w.value(path+"{}", item, t.Elem())
		}
	default:
		// Decoding also catches what the JSON type alone does not: 1.5 for an integer, a
		// number too large for its Go type.
		if got != want || json.Unmarshal(raw, reflect.New(t).Interface()) != nil {
			w.mistyped[path] = FieldIssue{Field: path, Want: want, Got: got}
		}
	}
}

// object compares one JSON object with a struct type, field by field. Keys match field names as
// encoding/json matches them: exactly, else ignoring case.
func (w *walker) object(path string, raw []byte, t reflect.Type) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		w.mistyped[path] = FieldIssue{Field: path, Want: "object", Got: jsonKind(raw)}
		return
	}
	used := map[string]bool{}
	for _, f := range wireFields(t) {
		key, ok := f.name, false
		if _, ok = obj[key]; !ok {
			for k := range obj {
				if strings.EqualFold(k, f.name) && !used[k] {
					key, ok = k, true
					break
				}
			}
		}
		field := joinPath(path, f.name)
		if ok {
			used[key] = true
		}
		value := obj[key]
		switch {
		case !ok || jsonKind(value) == "null":
			if !f.optional {
				got := "absent"
				if ok {
					got = "null"
				}
				w.missing[field] = FieldIssue{Field: field, Want: jsonTypeOf(f.typ), Got: got}
			}
		default:
			w.value(field, value, f.typ)
		}
	}
	for k, v := range obj {
		if !used[k] {
			field := joinPath(path, k)
			w.undecoded[field] = FieldIssue{Field: field, Got: jsonKind(v)}
		}
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// wireField is one field a wire struct decodes.
type wireField struct {
	name     string
	typ      reflect.Type
	optional bool
}

// wireFields lists the JSON fields of a wire struct as encoding/json sees them, embedded structs
// flattened.
func wireFields(t reflect.Type) []wireField {
	var out []wireField
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			out = append(out, wireFields(sf.Type)...)
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		optional := sf.Type.Kind() == reflect.Pointer || sf.Type == rawMessageType || slices.Contains(strings.Split(opts, ","), "omitempty")
		switch sf.Tag.Get("contract") {
		case "required":
			optional = false
		case "optional":
			optional = true
		}
		out = append(out, wireField{name: name, typ: sf.Type, optional: optional})
	}
	return out
}

// jsonTypeOf names the JSON type a Go type decodes from.
func jsonTypeOf(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if cv, ok := reflect.New(t).Interface().(contractValue); ok {
		return cv.contractType()
	}
	if t == rawMessageType {
		return "any"
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Interface:
		return "any"
	}
	return t.String()
}

// jsonKind names the JSON type of a value from its first byte; the value is valid JSON (the
// client checks answers before decoding) or empty.
func jsonKind(raw []byte) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "absent"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func (*intBool) contractType() string { return "0 or 1" }

// checkContract adds nothing to the decoder: 0/1, booleans and numeric text are all flags.
func (*intBool) checkContract([]byte) error { return nil }

func (*apiTime) contractType() string { return "timestamp" }

// checkContract refuses what the decoder silently turns into the zero time (text in no known
// layout, an object) but the API's ways of saying "none" (null, "", 0): harmless to the client, but a change of format the check should report.
func (t *apiTime) checkContract(raw []byte) error {
	if v := string(bytes.TrimSpace(raw)); t.IsZero() && v != "null" && v != `""` && v != "0" {
		return errors.New("not a timestamp the client can read")
	}
	return nil
}
