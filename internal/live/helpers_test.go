package live_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	sdkacctest "github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"golang.org/x/crypto/ssh"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/flexmetal"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/live"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/provider"
)

// run is one live test's settings, client and name base.
type run struct {
	settings live.Settings
	client   *flexmetal.Client
	// base is the test's own random name, live.Prefix and a number: everything the test creates
	// is named base + "-" + something, so its safety net finds exactly what it made.
	base string
}

// startLive skips the test unless TF_ACC is set and the gate is open (FLEXMETAL_LIVE=1), so
// `go test ./...` never sends a request; otherwise it registers the test's safety net. Call it
// first, before anything that could reach the API.
func startLive(t *testing.T) *run {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("live acceptance tests need TF_ACC=1 and FLEXMETAL_LIVE=1 (`make testacc-live` sets TF_ACC)")
	}
	if !live.Enabled() {
		t.Skip(live.Refusal(t.Name()))
	}
	settings, err := live.SettingsFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	client, err := settings.Client()
	if err != nil {
		t.Fatal(err)
	}
	r := &run{settings: settings, client: client, base: sdkacctest.RandomWithPrefix(strings.TrimSuffix(live.Prefix, "-"))}
	t.Cleanup(func() { r.sweepLeftovers(t) })
	return r
}

// name is a name for something this test creates.
func (r *run) name(role string) string { return r.base + "-" + role }

// sweepLeftovers is the safety net behind terraform-plugin-testing's destroy: it releases or
// deletes whatever still carries this test's name prefix when the test ends, pass or fail, so a
// failed destroy does not leave a server billing. Finding anything is itself a failure.
func (r *run) sweepLeftovers(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	swept, err := live.Sweep(ctx, r.client, r.base+"-", t.Logf)
	if err != nil {
		t.Errorf("cleaning up after the test: %v. Run `make sweep` (FLEXMETAL_LIVE=1), or release or delete what is named %s-* in the i3D.net customer portal.", err, r.base)
	}
	if swept.Empty() {
		return
	}
	report := t.Errorf
	if t.Failed() {
		// The failure is reported already; the leftovers follow from it.
		report = t.Logf
	}
	report("the test's destroy left these behind, released or deleted now: servers %q, SSH keys %q, tags %q", swept.Servers, swept.SSHKeys, swept.Tags)
}

// factories serve the released provider, unmodified, to terraform-plugin-testing: production
// retries and poll interval, configured from FLEXMETAL_BASE_URL and FLEXMETAL_API_KEY as a user's
// would be.
func factories() map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		provider.TypeName: providerserver.NewProtocol6WithError(provider.New("live-test")()),
	}
}

// config is a test configuration: the provider block is empty, so the provider reads the
// environment.
func config(parts ...string) string {
	return "provider \"flexmetal\" {}\n" + strings.Join(parts, "\n")
}

// checkGone is a CheckDestroy that asks the API: nothing named with the test's prefix may be
// left, but servers that are released.
func (r *run) checkGone(*terraform.State) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	prefix := r.base + "-"
	var errs []error
	servers, err := r.client.Servers.List(ctx, flexmetal.ListServersOptions{})
	if err != nil {
		return err
	}
	for _, s := range servers {
		if strings.HasPrefix(s.Name, prefix) && s.Status != flexmetal.StatusReleased {
			errs = append(errs, fmt.Errorf("server %s (%s) is %q after destroy, want released", s.UUID, s.Name, s.Status))
		}
	}
	keys, err := r.client.SSHKeys.List(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if strings.HasPrefix(k.Name, prefix) {
			errs = append(errs, fmt.Errorf("SSH key %s (%s) still exists after destroy", k.UUID, k.Name))
		}
	}
	tags, err := r.client.Tags.List(ctx)
	if err != nil {
		return err
	}
	for _, tag := range tags {
		if strings.HasPrefix(tag.Name, prefix) {
			errs = append(errs, fmt.Errorf("tag %s still exists after destroy", tag.Name))
		}
	}
	return errors.Join(errs...)
}

// apiServer reads a server through the API, for checks of what Terraform changed.
func (r *run) apiServer(id string) (*flexmetal.Server, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	return r.client.Servers.Get(ctx, id)
}

// newPublicKey returns a fresh ed25519 public key in OpenSSH format. Its private key is thrown
// away: nobody can log in to a server the tests order, and no two runs store the same key.
func newPublicKey(t *testing.T, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))) + " " + comment
}
