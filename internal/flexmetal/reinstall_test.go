package flexmetal_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
)

const commandsPath = serversPath + "/u1/commands"

// commandObj is a server command in the API's snake_case wire shape, created minute minutes
// after a fixed instant.
func commandObj(uuid, state string, minute int) map[string]any {
	at := time.Date(2025, 6, 30, 10, minute, 0, 0, time.UTC)
	return map[string]any{
		"uuid":        uuid,
		"server_uuid": "u1",
		"payload":     []any{},
		"state":       state,
		"created_at":  at.Format("2006-01-02T15:04:05-07:00"),
		"updated_at":  at.Add(time.Minute).Format("2006-01-02T15:04:05-07:00"),
	}
}

func commandsJSON(t *testing.T, cmds ...map[string]any) reply {
	if cmds == nil {
		cmds = []map[string]any{}
	}
	return okJSON(mustJSON(t, cmds))
}

func reinstallRequest() flexmetal.ReinstallServerRequest {
	return flexmetal.ReinstallServerRequest{
		Name:              "web-1.example.com",
		OS:                flexmetal.OSRequest{Slug: "debian-12", KernelParams: []flexmetal.KernelParam{{Key: "talos.platform", Value: "metal"}}, Partitions: []flexmetal.Partition{{Target: "/", Filesystem: "ext4", Size: 102400}}},
		SSHKeys:           []string{"ssh-ed25519 AAAA user@host"},
		PostInstallScript: "#!/bin/sh\necho hi\n",
	}
}

// reinstallAPI fakes server u1, its update-server commands and its PATCH endpoint.
type reinstallAPI struct {
	t *testing.T

	mu       sync.Mutex
	commands []map[string]any // newest first
	// answers and acts script each PATCH (the last entry repeats): the answer sent, and whether
	// the API created a reinstall command before sending it.
	answers []reply
	acts    []bool
	patches int
	// hide is how many command reads after a PATCH acted still omit its command: a lagging list.
	hide    int
	pending []map[string]any
	// commandsAfterPatch, if set, answers every command read once a PATCH was received.
	commandsAfterPatch *reply
}

func (f *reinstallAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == commandsPath:
		if got := r.URL.Query().Get("type"); got != flexmetal.CommandTypeUpdateServer {
			f.t.Errorf("commands read with type %q, want %q", got, flexmetal.CommandTypeUpdateServer)
		}
		f.mu.Lock()
		if f.commandsAfterPatch != nil && f.patches > 0 {
			rp := *f.commandsAfterPatch
			f.mu.Unlock()
			rp.serve(f.t, w)
			return
		}
		if len(f.pending) > 0 {
			if f.hide > 0 {
				f.hide--
			} else {
				f.commands = append(slices.Clone(f.pending), f.commands...)
				f.pending = nil
			}
		}
		body := mustJSON(f.t, append([]map[string]any{}, f.commands...))
		f.mu.Unlock()
		okJSON(body).serve(f.t, w)
	case r.Method == http.MethodGet && r.URL.Path == serversPath+"/u1":
		okJSON(serverArray(f.t, "provisioning")).serve(f.t, w)
	case r.Method == http.MethodPatch && r.URL.Path == serversPath+"/u1":
		f.mu.Lock()
		i := f.patches
		f.patches++
		if f.acts[min(i, len(f.acts)-1)] {
			cmd := commandObj(fmt.Sprintf("cmd-new-%d", i), "queued", 30+i)
			f.pending = append([]map[string]any{cmd}, f.pending...)
		}
		rp := f.answers[min(i, len(f.answers)-1)]
		f.mu.Unlock()
		rp.serve(f.t, w)
	default:
		f.t.Errorf("unexpected request %s %s", r.Method, r.RequestURI)
		w.WriteHeader(599)
	}
}

func newReinstallAPI(t *testing.T, answers []reply, acts ...bool) *reinstallAPI {
	return &reinstallAPI{t: t, commands: []map[string]any{commandObj("cmd-old", "finished", 0)}, answers: answers, acts: acts}
}

func countPATCHes(rec *recorder) int { return rec.countMethod(http.MethodPatch, serversPath+"/u1") }

func TestServersReinstall_sendsPatchWithTheCreateShapesAfterReadingCommands(t *testing.T) {
	api, rec := newAPI(t, newReinstallAPI(t, []reply{okJSON(serverArray(t, "provisioning"))}, true))
	c := newClient(t, api.URL)
	s, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	if err != nil || s == nil || s.UUID != "u1" || s.Status != "provisioning" {
		t.Fatalf("Reinstall = %+v, %v; want server u1 as the PATCH answered", s, err)
	}
	reqs := rec.all()
	if len(reqs) != 2 || reqs[0].Path != commandsPath || reqs[1].Method != http.MethodPatch {
		t.Fatalf("requests = %v, want the command list read, then one PATCH", describe(reqs))
	}
	var body map[string]any
	if err := json.Unmarshal(reqs[1].Body, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"name": "web-1.example.com",
		"os": map[string]any{
			"slug":         "debian-12",
			"kernelParams": []any{map[string]any{"key": "talos.platform", "value": "metal"}},
			"partitions":   []any{map[string]any{"target": "/", "filesystem": "ext4", "size": float64(102400)}},
		},
		"sshKey":            []any{"ssh-ed25519 AAAA user@host"},
		"postInstallScript": "#!/bin/sh\necho hi\n",
	}
	if got, wantJSON := mustJSON(t, body), mustJSON(t, want); got != wantJSON {
		t.Errorf("PATCH body = %s, want %s", got, wantJSON)
	}
	if ct := reqs[1].Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestServersReinstall_sshKeyIsAlwaysSentAsAList(t *testing.T) {
	for name, keys := range map[string][]string{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, newReinstallAPI(t, []reply{okJSON(serverArray(t, "provisioning"))}, true))
			c := newClient(t, api.URL)
			if _, err := c.Servers.Reinstall(context.Background(), "u1", flexmetal.ReinstallServerRequest{OS: flexmetal.OSRequest{Slug: "talos"}, SSHKeys: keys}); err != nil {
				t.Fatal(err)
			}
			var body map[string]json.RawMessage
			patch := rec.all()[1]
			if err := json.Unmarshal(patch.Body, &body); err != nil {
				t.Fatal(err)
			}
			if got := string(body["sshKey"]); got != "[]" {
				t.Errorf(`"sshKey" = %q in %s, want []`, got, patch.Body)
			}
			if _, ok := body["name"]; ok {
				t.Errorf("an empty name was sent: %s", patch.Body)
			}
		})
	}
}

func TestServersReinstall_lostAnswerWithANewCommandIsSuccessWithoutResending(t *testing.T) {
	cases := map[string]reply{
		"500":                            statusReply(500),
		"502":                            statusReply(502),
		"504":                            statusReply(504),
		"connection reset after sending": dropReply(),
		"garbled 200":                    {status: http.StatusOK, body: `[{"uuid":"u1","sta`},
		"200 of the wrong shape":         okJSON(`"accepted"`),
	}
	for name, failure := range cases {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, newReinstallAPI(t, []reply{failure, okJSON(serverArray(t, "provisioning"))}, true))
			c := newClient(t, api.URL, freshConnections())
			s, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
			if err != nil {
				t.Fatalf("Reinstall: %v; want success, the command list shows the API acted", err)
			}
			if s == nil || s.UUID != "u1" {
				t.Errorf("Reinstall = %+v, want server u1 read after the lost answer", s)
			}
			if n := countPATCHes(rec); n != 1 {
				t.Errorf("server saw %d PATCHes (%v), want exactly one: a second reinstalls twice", n, describe(rec.all()))
			}
		})
	}
}

func TestServersReinstall_lostAnswerWithoutANewCommandIsResent(t *testing.T) {
	api, rec := newAPI(t, newReinstallAPI(t, []reply{statusReply(500), okJSON(serverArray(t, "provisioning"))}, false, true))
	retries := &retryCollector{}
	c := newClient(t, api.URL, flexmetal.WithRetryLogger(retries.hook))
	s, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	if err != nil || s == nil || s.UUID != "u1" {
		t.Fatalf("Reinstall = %+v, %v; want success on the second PATCH", s, err)
	}
	// The resend is logged like every other retry.
	if got := retries.all(); len(got) != 1 || got[0].Method != http.MethodPatch || got[0].Attempt != 1 || got[0].Err == nil {
		t.Errorf("retry log = %+v, want one entry for the resent PATCH", got)
	}
	if n := countPATCHes(rec); n != 2 {
		t.Errorf("server saw %d PATCHes, want 2: %v", n, describe(rec.all()))
	}
	reqs := rec.all()
	var bodies [][]byte
	for _, r := range reqs {
		if r.Method == http.MethodPatch {
			bodies = append(bodies, r.Body)
		}
	}
	if string(bodies[0]) != string(bodies[1]) {
		t.Errorf("resent body differs:\n%s\n%s", bodies[0], bodies[1])
	}
	// Before the resend the list was read twice (after the failure and once more after the
	// backoff), so a lagging list gets a second chance.
	if n := rec.countMethod(http.MethodGet, commandsPath); n != 3 {
		t.Errorf("command list read %d times, want 3 (before, after the failure, before resending)", n)
	}
}

func TestServersReinstall_resendsAreBoundedByTheRetryPolicy(t *testing.T) {
	api, rec := newAPI(t, newReinstallAPI(t, []reply{statusReply(500)}, false))
	c := newClient(t, api.URL, flexmetal.WithRetryPolicy(fastRetry(2)))
	_, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	if apiErr := asAPIError(t, err); apiErr.StatusCode != 500 {
		t.Errorf("err = %v, want the last HTTP 500", err)
	}
	if n := countPATCHes(rec); n != 3 {
		t.Errorf("server saw %d PATCHes, want 3 (the first and 2 resends)", n)
	}
}

func TestServersReinstall_laggingCommandListDoesNotCauseASecondReinstall(t *testing.T) {
	// The first PATCH acts but its answer is lost and the list shows its command only from the
	// third read after it; a resend is refused (422) as the server is being reinstalled. The
	// refusal must be recognized as the first PATCH having acted.
	f := newReinstallAPI(t, []reply{statusReply(500), statusReply(422)}, true, false)
	f.hide = 2
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL)
	s, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	if err != nil || s == nil {
		t.Fatalf("Reinstall = %+v, %v; want success: the first PATCH acted", s, err)
	}
	if n := countPATCHes(rec); n != 2 {
		t.Errorf("server saw %d PATCHes, want 2", n)
	}
}

func TestServersReinstall_unreadableCommandsAfterLostAnswerIsAmbiguous(t *testing.T) {
	f := newReinstallAPI(t, []reply{statusReply(502)}, true)
	f.commandsAfterPatch = &reply{status: 403, body: `{"errorCode":403,"errorMessage":"forbidden","errors":[]}`}
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL)
	_, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	var amb *flexmetal.AmbiguousReinstallError
	if !errors.As(err, &amb) {
		t.Fatalf("err = %v (%T), want an *AmbiguousReinstallError", err, err)
	}
	if amb.UUID != "u1" || !flexmetal.IsUnauthorized(amb.LookupErr) || asAPIError(t, err).StatusCode != 502 {
		t.Errorf("AmbiguousReinstallError = %+v, want u1, the 502 and the 403 lookup", amb)
	}
	if !strings.Contains(err.Error(), "may have started") {
		t.Errorf("Error() = %q, want it to say the reinstall may have started", err.Error())
	}
	if n := countPATCHes(rec); n != 1 {
		t.Errorf("server saw %d PATCHes, want 1", n)
	}
}

func TestServersReinstall_refusalsAreNotRetriedNorLookedUp(t *testing.T) {
	for name, tc := range map[string]struct {
		answer reply
		is     func(error) bool
	}{
		"422": {statusReply(422), flexmetal.IsValidation},
		"404": {reply{status: 404, body: notFoundBody}, flexmetal.IsNotFound},
		"403": {statusReply(403), flexmetal.IsUnauthorized},
	} {
		t.Run(name, func(t *testing.T) {
			api, rec := newAPI(t, newReinstallAPI(t, []reply{tc.answer}, false))
			c := newClient(t, api.URL)
			_, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
			if !tc.is(err) {
				t.Errorf("err = %v, want the %s", err, name)
			}
			if got := describe(rec.all()); len(got) != 2 {
				t.Errorf("requests = %v, want the command read and one PATCH", got)
			}
		})
	}
}

func TestServersReinstall_apiSayingItDidNotActIsRetried(t *testing.T) {
	for _, code := range []int{429, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			api, rec := newAPI(t, newReinstallAPI(t, []reply{statusReply(code), okJSON(serverArray(t, "provisioning"))}, false, true))
			c := newClient(t, api.URL)
			if _, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest()); err != nil {
				t.Fatal(err)
			}
			if n := countPATCHes(rec); n != 2 {
				t.Errorf("server saw %d PATCHes, want 2", n)
			}
		})
	}
}

func TestServersReinstall_refusedWhileAReinstallRuns(t *testing.T) {
	f := newReinstallAPI(t, []reply{okJSON(serverArray(t, "provisioning"))}, true)
	f.commands = []map[string]any{commandObj("cmd-run", "running", 5), commandObj("cmd-old", "finished", 0)}
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL)
	_, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	var busy *flexmetal.ReinstallInProgressError
	if !errors.As(err, &busy) || busy.Command == nil || busy.Command.UUID != "cmd-run" || busy.UUID != "u1" {
		t.Fatalf("err = %v (%T), want a *ReinstallInProgressError for cmd-run", err, err)
	}
	if n := countPATCHes(rec); n != 0 {
		t.Errorf("server saw %d PATCHes, want none while a reinstall runs", n)
	}
}

func TestServersReinstall_failingToReadCommandsFirstSendsNothing(t *testing.T) {
	api, rec := newAPI(t, routes(t, map[string]http.Handler{"GET " + commandsPath: scripted(t, reply{status: 404, body: notFoundBody})}))
	c := newClient(t, api.URL)
	_, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest())
	if !flexmetal.IsNotFound(err) || !strings.Contains(err.Error(), "before reinstalling") {
		t.Errorf("err = %v, want the 404 of the command read, explained", err)
	}
	if rec.total() != 1 {
		t.Errorf("requests = %v, want only the command read", describe(rec.all()))
	}
}

func TestServersReinstall_neverReinstalledServerIsReinstalled(t *testing.T) {
	f := newReinstallAPI(t, []reply{dropReply(), okJSON(serverArray(t, "provisioning"))}, true)
	f.commands = nil
	api, rec := newAPI(t, f)
	c := newClient(t, api.URL, freshConnections())
	if _, err := c.Servers.Reinstall(context.Background(), "u1", reinstallRequest()); err != nil {
		t.Fatalf("Reinstall: %v; want success, the first command appeared", err)
	}
	if n := countPATCHes(rec); n != 1 {
		t.Errorf("server saw %d PATCHes, want 1", n)
	}
}

func TestServersReinstall_emptyUUIDIsRefusedLocally(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	if _, err := c.Servers.Reinstall(context.Background(), "", reinstallRequest()); err == nil {
		t.Error("Reinstall with an empty UUID succeeded")
	}
}

func TestServersCommands_decodesSnakeCaseNewestFirst(t *testing.T) {
	// Listed oldest first on purpose, with one time as Unix seconds and one without a zone.
	body := `[
		{"uuid":"c1","server_uuid":"u1","payload":[],"state":"finished","created_at":"2025-06-30T10:00:00+00:00","updated_at":"2025-06-30T10:07:12+00:00"},
		{"uuid":"c3","server_uuid":"u1","payload":{"os":"x"},"state":"running","created_at":1751292000,"updated_at":null},
		{"uuid":"c2","server_uuid":"u1","payload":[],"state":"failed","created_at":"2025-06-30 12:00:00","updated_at":"2025-06-30T12:30:00.5Z"}
	]`
	api, rec := newAPI(t, scripted(t, okJSON(body)))
	c := newClient(t, api.URL)
	cmds, err := c.Servers.Commands(context.Background(), "u1", flexmetal.CommandTypeUpdateServer)
	if err != nil {
		t.Fatal(err)
	}
	if r := rec.only(t); r.RequestURI != commandsPath+"?type=update-server" || r.Method != http.MethodGet {
		t.Errorf("request = %s %s", r.Method, r.RequestURI)
	}
	var ids []string
	for _, c := range cmds {
		ids = append(ids, c.UUID)
	}
	if !slices.Equal(ids, []string{"c3", "c2", "c1"}) {
		t.Errorf("order = %q, want newest first", ids)
	}
	c1 := cmds[2]
	want := flexmetal.Command{
		UUID: "c1", ServerUUID: "u1", State: "finished",
		CreatedAt: time.Date(2025, 6, 30, 10, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2025, 6, 30, 10, 7, 12, 0, time.UTC),
	}
	if !c1.CreatedAt.Equal(want.CreatedAt) || !c1.UpdatedAt.Equal(want.UpdatedAt) || c1.UUID != want.UUID || c1.ServerUUID != want.ServerUUID || c1.State != want.State {
		t.Errorf("c1 = %+v, want %+v", c1, want)
	}
	if !c1.Finished() || !c1.Terminal() || c1.Failed() {
		t.Errorf("finished command: Finished/Terminal/Failed = %v/%v/%v", c1.Finished(), c1.Terminal(), c1.Failed())
	}
	if !cmds[1].Failed() || !cmds[1].Terminal() || cmds[0].Terminal() {
		t.Errorf("failed command terminal = %v, running command terminal = %v", cmds[1].Terminal(), cmds[0].Terminal())
	}
	if !cmds[0].UpdatedAt.IsZero() || cmds[0].CreatedAt.Unix() != 1751292000 {
		t.Errorf("c3 times = %s, %s; want Unix 1751292000 and zero", cmds[0].CreatedAt, cmds[0].UpdatedAt)
	}
}

func TestServersCommands_withoutTimesKeepsTheAPIOrder(t *testing.T) {
	api, _ := newAPI(t, scripted(t, okJSON(`[{"uuid":"b","state":"queued"},{"uuid":"a","state":"finished","created_at":"2099-01-01T00:00:00Z"}]`)))
	c := newClient(t, api.URL)
	cmds, err := c.Servers.Commands(context.Background(), "u1", "")
	if err != nil || len(cmds) != 2 || cmds[0].UUID != "b" {
		t.Errorf("Commands = %+v, %v; want the API's order when a time is missing", cmds, err)
	}
}

func TestServersCommands_bareObjectAndEmptyAnswers(t *testing.T) {
	for body, want := range map[string]int{`{"uuid":"c1","state":"finished"}`: 1, `[]`: 0, ``: 0} {
		api, rec := newAPI(t, scripted(t, okJSON(body)))
		c := newClient(t, api.URL)
		cmds, err := c.Servers.Commands(context.Background(), "u1", "")
		if err != nil || len(cmds) != want {
			t.Errorf("body %q: Commands = %+v, %v; want %d commands", body, cmds, err, want)
		}
		if r := rec.only(t); r.RequestURI != commandsPath {
			t.Errorf("without a type the request was %s, want no query", r.RequestURI)
		}
	}
}

func TestServersReinstallInProgress(t *testing.T) {
	cases := []struct {
		name    string
		cmds    []map[string]any
		running bool
		newest  string
	}{
		{"never reinstalled", nil, false, ""},
		{"queued", []map[string]any{commandObj("c2", "queued", 5), commandObj("c1", "finished", 0)}, true, "c2"},
		{"running", []map[string]any{commandObj("c2", "running", 5)}, true, "c2"},
		{"finished", []map[string]any{commandObj("c2", "finished", 5), commandObj("c1", "running", 0)}, false, "c2"},
		{"failed", []map[string]any{commandObj("c2", "failed", 5)}, false, "c2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, commandsJSON(t, tc.cmds...)))
			c := newClient(t, api.URL)
			running, cmd, err := c.Servers.ReinstallInProgress(context.Background(), "u1")
			if err != nil || running != tc.running {
				t.Fatalf("ReinstallInProgress = %v, %+v, %v; want %v", running, cmd, err, tc.running)
			}
			if got := ""; cmd != nil {
				got = cmd.UUID
				if got != tc.newest {
					t.Errorf("command = %q, want %q", got, tc.newest)
				}
			} else if tc.newest != "" {
				t.Errorf("command = nil, want %q", tc.newest)
			}
		})
	}
}

// waitAPI answers a lone reinstall wait: each check reads the server, then its commands, one
// scripted answer each.
func waitAPI(t *testing.T, server []reply, commands []reply, opts ...flexmetal.Option) (*recorder, *flexmetal.Client) {
	api, rec := newAPI(t, routes(t, map[string]http.Handler{
		"GET " + serversPath + "/u1": scripted(t, server...),
		"GET " + commandsPath:        scripted(t, commands...),
	}))
	return rec, newClient(t, api.URL, opts...)
}

func TestWaitForReinstall_followsTheNewCommandUntilFinishedAndDelivered(t *testing.T) {
	old := commandObj("cmd-old", "finished", 0)
	rec, c := waitAPI(t,
		statusReplies(t, "delivered", "provisioning", "provisioning", "provisioned", "delivered", "delivered"),
		[]reply{
			// The old finished command is still the newest: not the end of this reinstall.
			commandsJSON(t, old),
			commandsJSON(t, commandObj("cmd-new", "queued", 10), old),
			commandsJSON(t, commandObj("cmd-new", "running", 10), old),
			// Finished but the server is not delivered yet.
			commandsJSON(t, commandObj("cmd-new", "finished", 10), old),
			// Delivered but the command is (in this answer) still running.
			commandsJSON(t, commandObj("cmd-new", "running", 10), old),
			commandsJSON(t, commandObj("cmd-new", "finished", 10), old),
		})
	var seen []string
	s, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "cmd-old", func(s *flexmetal.Server) { seen = append(seen, s.Status) })
	if err != nil || s == nil || s.Status != flexmetal.StatusDelivered {
		t.Fatalf("WaitForReinstall = %+v, %v; want the delivered server", s, err)
	}
	if want := []string{"delivered", "provisioning", "provisioned", "delivered"}; !slices.Equal(seen, want) {
		t.Errorf("progress saw %q, want %q", seen, want)
	}
	if n := rec.countMethod(http.MethodGet, commandsPath); n != 6 {
		t.Errorf("command list read %d times, want 6 (one per check)", n)
	}
}

func TestWaitForReinstall_withoutSinceFollowsTheNewestCommand(t *testing.T) {
	_, c := waitAPI(t, statusReplies(t, "provisioning", "delivered"),
		[]reply{commandsJSON(t, commandObj("c1", "running", 0)), commandsJSON(t, commandObj("c1", "finished", 0))})
	if s, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "", nil); err != nil || s.Status != "delivered" {
		t.Errorf("WaitForReinstall = %+v, %v; want delivered", s, err)
	}
}

func TestWaitForReinstall_neverReinstalledDeliveredServerIsDoneAtOnce(t *testing.T) {
	rec, c := waitAPI(t, statusReplies(t, "delivered"), []reply{commandsJSON(t)})
	if s, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "", nil); err != nil || s.Status != "delivered" {
		t.Errorf("WaitForReinstall = %+v, %v; want delivered", s, err)
	}
	if n := rec.total(); n != 2 {
		t.Errorf("requests = %v, want one check", describe(rec.all()))
	}
}

func TestWaitForReinstall_failedCommandIsReinstallFailedErrorWithTheServersMessage(t *testing.T) {
	old := commandObj("cmd-old", "finished", 0)
	rec, c := waitAPI(t,
		[]reply{
			okJSON(serverArray(t, "provisioning")),
			okJSON(serverArray(t, "provisioned")),
			// Read again once the command is seen failed: the failure's message.
			withStatusMessage(t, "delivered", "Reinstall failed: operating system installation error"),
		},
		[]reply{commandsJSON(t, commandObj("cmd-new", "running", 10), old), commandsJSON(t, commandObj("cmd-new", "failed", 10), old)})
	s, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "cmd-old", nil)
	var failed *flexmetal.ReinstallFailedError
	if !errors.As(err, &failed) {
		t.Fatalf("err = %v (%T), want a *ReinstallFailedError", err, err)
	}
	if failed.Command == nil || failed.Command.UUID != "cmd-new" || failed.Server.StatusMessage != "Reinstall failed: operating system installation error" {
		t.Errorf("ReinstallFailedError = %+v / %+v", failed.Command, failed.Server)
	}
	for _, part := range []string{"u1", "cmd-new", `"failed"`, "operating system installation error"} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Error() = %q, missing %q", err.Error(), part)
		}
	}
	if s == nil || s.Status != "delivered" {
		t.Errorf("returned server = %+v, want the server as last read", s)
	}
	if n := rec.countMethod(http.MethodGet, serversPath+"/u1"); n != 3 {
		t.Errorf("server read %d times, want 3", n)
	}
}

func TestWaitForReinstall_failedServerIsReinstallFailedError(t *testing.T) {
	_, c := waitAPI(t,
		[]reply{okJSON(serverArray(t, "provisioning")), withStatusMessage(t, "failed", "disk error")},
		[]reply{commandsJSON(t, commandObj("cmd-new", "running", 10))})
	_, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "", nil)
	var failed *flexmetal.ReinstallFailedError
	if !errors.As(err, &failed) || failed.Server.Status != "failed" || failed.Command == nil || failed.Command.State != "running" {
		t.Fatalf("err = %v (%T), want a *ReinstallFailedError with the failed server and the running command", err, err)
	}
	if !strings.Contains(err.Error(), "disk error") {
		t.Errorf("Error() = %q, want the status message", err.Error())
	}
}

func TestWaitForReinstall_deadlineGivesWaitErrorWithTheLastCommand(t *testing.T) {
	t.Parallel()
	ctx := newManualDeadline()
	api, _ := newAPI(t, routes(t, map[string]http.Handler{
		"GET " + serversPath + "/u1": scripted(t, statusReplies(t, "provisioning")...),
		// The deadline passes once the second command read was answered.
		"GET " + commandsPath: expireAfter(t, ctx, 2, commandsJSON(t, commandObj("cmd-new", "running", 10))),
	}))
	c := newClient(t, api.URL)
	s, err := c.Servers.WaitForReinstall(ctx, "u1", "cmd-old", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v (%T), want a *WaitError wrapping DeadlineExceeded", err, err)
	}
	if we.Want != "reinstalled" || we.LastStatus() != "provisioning" || we.Command == nil || we.Command.UUID != "cmd-new" {
		t.Errorf("WaitError = %+v (command %+v)", we, we.Command)
	}
	for _, part := range []string{"u1", "reinstalled", `"provisioning"`, "cmd-new", `"running"`} {
		if !strings.Contains(err.Error(), part) {
			t.Errorf("Error() = %q, missing %q", err.Error(), part)
		}
	}
	if s == nil || s.Status != "provisioning" {
		t.Errorf("returned server = %+v, want the last state seen", s)
	}
}

func TestWaitForReinstall_waitsOnTheSharedCadence(t *testing.T) {
	t.Parallel()
	api, rec := newAPI(t, http.NotFoundHandler())
	c := newClient(t, api.URL, flexmetal.WithMinPollInterval(time.Hour), flexmetal.WithPollInterval(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	s, err := c.Servers.WaitForReinstall(ctx, "u1", "", nil)
	var we *flexmetal.WaitError
	if !errors.As(err, &we) || !errors.Is(err, context.Canceled) || s != nil || we.Command != nil {
		t.Errorf("WaitForReinstall = %+v, %v; want a *WaitError wrapping context.Canceled with nothing seen", s, err)
	}
	if rec.total() != 0 {
		t.Errorf("server saw %d requests, want none before the first interval", rec.total())
	}
}

func TestWaitForReinstall_transientErrorsDoNotEndTheWaitButRefusalsDo(t *testing.T) {
	t.Run("503 on the command list", func(t *testing.T) {
		// Without client retries, so the wait itself rides the 503s out.
		rec, c := waitAPI(t, statusReplies(t, "delivered"),
			[]reply{statusReply(503), statusReply(503), commandsJSON(t, commandObj("c2", "finished", 5))},
			flexmetal.WithRetryPolicy(fastRetry(0)))
		if _, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "c1", nil); err != nil {
			t.Errorf("WaitForReinstall: %v; want success despite 503s", err)
		}
		if n := rec.countMethod(http.MethodGet, commandsPath); n != 3 {
			t.Errorf("command list read %d times, want 3", n)
		}
	})
	t.Run("404 on the command list", func(t *testing.T) {
		rec, c := waitAPI(t, statusReplies(t, "delivered"), []reply{{status: 404, body: notFoundBody}})
		_, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "c1", nil)
		var we *flexmetal.WaitError
		if !errors.As(err, &we) || !flexmetal.IsNotFound(err) {
			t.Errorf("err = %v, want a *WaitError wrapping the 404", err)
		}
		if n := rec.countMethod(http.MethodGet, commandsPath); n != 1 {
			t.Errorf("command list read %d times, want 1", n)
		}
	})
	t.Run("releasing server", func(t *testing.T) {
		_, c := waitAPI(t, statusReplies(t, "releasing"), []reply{commandsJSON(t, commandObj("c2", "running", 5))})
		_, err := c.Servers.WaitForReinstall(testContext(t, 10*time.Second), "u1", "c1", nil)
		var we *flexmetal.WaitError
		if !errors.As(err, &we) || we.LastStatus() != "releasing" || we.Command == nil {
			t.Errorf("err = %v, want a *WaitError with last status releasing and the command", err)
		}
	})
}

// reinstallFleet is the fleet fake plus a commands endpoint where every server's reinstall
// command is already finished.
type reinstallFleet struct{ *fleet }

func (f reinstallFleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, serversPath+"/"), "/commands"); ok && r.Method == http.MethodGet {
		okJSON(mustJSON(f.t, []any{map[string]any{"uuid": "cmd-" + id, "server_uuid": id, "state": "finished", "created_at": "2025-06-30T10:00:00+00:00"}})).serve(f.t, w)
		return
	}
	f.fleet.ServeHTTP(w, r)
}

func TestWaitForReinstall_concurrentWaitsShareServerStatusChecks(t *testing.T) {
	const n = 6
	f, ids := fleetOf(t, n)
	api, rec := newAPI(t, reinstallFleet{f})
	c := coalescingClient(t, api.URL)
	ctx := testContext(t, 20*time.Second)
	errs := make([]error, n)
	startTogether(n, func(i int) { _, errs[i] = c.Servers.WaitForReinstall(ctx, ids[i], "cmd-before", nil) })
	for i, err := range errs {
		if err != nil {
			t.Errorf("WaitForReinstall(%s): %v", ids[i], err)
		}
	}
	lists, gets := rec.count(recordedRequest.isList), rec.count(recordedRequest.isServerGet)
	t.Logf("%d servers: %d list requests + %d GETs for their status", n, lists, gets)
	if lists == 0 {
		t.Errorf("no list request was used: %v", describe(rec.all()))
	}
	if total := lists + gets; total > n*len(deliveryScript)*3/4 {
		t.Errorf("%d status requests for %d concurrent waits, want well below %d", total, n, n*len(deliveryScript))
	}
}

func TestServersRootPassword_returnsItAndNeverLogsIt(t *testing.T) {
	const secret = "Zx9-root-S3cret!"
	api, rec := newAPI(t, scripted(t, okJSON(`[{"rootPassword":"`+secret+`"}]`)))
	logs := &logCollector{}
	c := newClient(t, api.URL, flexmetal.WithRequestLogger(logs.hook))
	got, err := c.Servers.RootPassword(context.Background(), "u1")
	if err != nil || got != secret {
		t.Fatalf("RootPassword = %q, %v", got, err)
	}
	if r := rec.only(t); r.Method != http.MethodGet || r.RequestURI != serversPath+"/u1/rootPassword" {
		t.Errorf("request = %s %s", r.Method, r.RequestURI)
	}
	entries := logs.all()
	if len(entries) != 1 {
		t.Fatalf("%d log entries, want 1", len(entries))
	}
	for _, e := range entries {
		if text := fmt.Sprintf("%+v %#v", e, e); strings.Contains(text, secret) {
			t.Errorf("the root password reached the request log: %s", text)
		}
	}
}

func TestServersRootPassword_garbledAnswerKeepsThePasswordOutOfErrorsAndLogs(t *testing.T) {
	const secret = "Zx9-root-S3cret!"
	api, _ := newAPI(t, scripted(t, okJSON(`[{"rootPassword":"`+secret+`"`)))
	logs := &logCollector{}
	c := newClient(t, api.URL, flexmetal.WithRequestLogger(logs.hook), flexmetal.WithRetryPolicy(fastRetry(1)))
	_, err := c.Servers.RootPassword(context.Background(), "u1")
	var rErr *flexmetal.ResponseError
	if !errors.As(err, &rErr) {
		t.Fatalf("err = %v (%T), want a *ResponseError", err, err)
	}
	for _, text := range errorChainTexts(err) {
		if strings.Contains(text, secret) {
			t.Errorf("the root password reached an error: %q", text)
		}
	}
	for _, e := range logs.all() {
		if text := fmt.Sprintf("%+v", e); strings.Contains(text, secret) {
			t.Errorf("the root password reached the request log: %s", text)
		}
	}
}

func TestServersRootPassword_noneIsNotFound(t *testing.T) {
	for name, answer := range map[string]reply{
		"404":            {status: 404, body: `{"errorCode":20404,"errorMessage":"Resource not found","errors":[]}`},
		"empty list":     okJSON(`[]`),
		"empty password": okJSON(`[{"rootPassword":""}]`),
	} {
		t.Run(name, func(t *testing.T) {
			api, _ := newAPI(t, scripted(t, answer))
			c := newClient(t, api.URL)
			got, err := c.Servers.RootPassword(context.Background(), "u1")
			if got != "" || !flexmetal.IsNotFound(err) {
				t.Errorf("RootPassword = %q, %v; want an error for which IsNotFound is true", got, err)
			}
			_ = asAPIError(t, err)
		})
	}
}
