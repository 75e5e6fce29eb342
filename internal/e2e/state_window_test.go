package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/shared"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// heldStateServer is a Terraform http backend on loopback that can hold state writes: a write
// that arrives while held is reported on writes and never completes, as when a remote backend
// has not persisted the state yet.
type heldStateServer struct {
	mu     sync.Mutex
	state  []byte
	held   bool
	writes chan struct{}
	stop   chan struct{}
}

func (h *heldStateServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.state == nil {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write(h.state)
	case http.MethodPost:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h.mu.Lock()
		held := h.held
		if !held {
			h.state = body
		}
		h.mu.Unlock()
		if held {
			select {
			case h.writes <- struct{}{}:
			default:
			}
			select {
			case <-r.Context().Done():
			case <-h.stop:
			}
			return
		}
	default:
		w.WriteHeader(http.StatusMethodNotAllowed)
	}
}

// TestAdopt_killBeforeARemoteBackendWritesTheStateLosesTheRecord pins down the window that
// remains (documented in flexmetal_server's "When a Run Is Cut Short"): the creation tag is
// removed as the create returns, and a remote backend writes the state only later (at least 20 s
// apart, and at the end of the run). A run killed in between leaves a delivered server that no
// state records and that carries no creation tag, so the next apply orders another one. Any
// change that narrows or widens this window changes what this test sees.
func TestAdopt_killBeforeARemoteBackendWritesTheStateLosesTheRecord(t *testing.T) {
	tf, providerDir := setup(t)
	sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
	url, stopSim := sim.Start()
	defer stopSim()
	backend := &heldStateServer{writes: make(chan struct{}, 1), stop: make(chan struct{})}
	stateSrv := httptest.NewServer(backend)
	defer stateSrv.Close()
	defer close(backend.stop)

	ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	config := strings.Replace(tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms"), "terraform {",
		fmt.Sprintf("terraform {\n  backend \"http\" {\n    address = %q\n  }\n", stateSrv.URL+"/state"), 1) + fmt.Sprintf(`
resource "flexmetal_server" "web" {
  name          = "web-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [%q]
}
`, simulator.ExamplePublicKeyEd25519)
	if err := ws.WriteConfig(config); err != nil {
		t.Fatal(err)
	}
	// init configures the backend, then fails looking the provider up in the registry, which the
	// workspace's dev_overrides make unnecessary for every other command.
	if out, _ := ws.Run(ctx, "init", "-input=false"); !strings.Contains(out, `Successfully configured the backend "http"`) {
		t.Fatalf("init did not configure the http backend:\n%s", out)
	}

	backend.mu.Lock()
	backend.held = true
	backend.mu.Unlock()
	cmd := ws.Command(ctx, "apply", "-auto-approve", "-input=false")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-backend.writes:
	case <-ctx.Done():
		t.Fatalf("the apply never wrote its state:\n%s", out.String())
	}
	// The create has returned: the server is delivered and its creation tag is gone.
	servers := live(sim)
	if len(servers) != 1 || servers[0].Status != simulator.StatusDelivered || shared.HasCreationTag(servers[0].Tags) {
		t.Fatalf("when the state is written, the API has %+v; want one delivered server without a creation tag", servers)
	}
	if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	first := servers[0].UUID
	t.Cleanup(func() { _ = sim.ReleaseServer(first) })

	backend.mu.Lock()
	backend.held = false
	recorded := backend.state != nil
	backend.mu.Unlock()
	if recorded {
		t.Fatalf("the backend holds a state although its only write was cut short")
	}
	// The next apply cannot know the server: nothing marks it any more, so it orders another.
	if _, err := ws.Run(ctx, "apply", "-auto-approve", "-input=false"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := ws.Run(ctx, "destroy", "-auto-approve", "-input=false"); err != nil {
			t.Error(err)
		}
	}()
	ids := stateIDs(ctx, t, ws)
	if len(ids) != 1 || ids[first] || len(live(sim)) != 2 {
		t.Fatalf("after the re-run the state has %v and the API %d live servers; want a second server ordered, the first one (%s) unrecorded", ids, len(live(sim)), first)
	}
}
