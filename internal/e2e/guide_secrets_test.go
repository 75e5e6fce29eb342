package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// TestGuide_secrets runs docs/guides/secrets.md against the simulator. The write-only script:
// a server ordered with post_install_script moves to the guide's post_install_script_wo with the
// guide's state rm, import and apply, without a reinstall; a new version then reinstalls it with
// the new script, which the state never holds. The Windows root password reaches AWS Secrets
// Manager (a stand-in provider that records what it is sent), directly and through the guide's
// child module, which fails without its required_providers.
func TestGuide_secrets(t *testing.T) {
	g := readGuide(t, "secrets")
	worker := g.hcl(t, `resource "flexmetal_server" "worker"`)
	move := g.shell(t, "terraform state rm flexmetal_server.worker")
	dc := g.hcl(t, `resource "aws_secretsmanager_secret_version" "dc_admin"`)
	module := g.hcl(t, "# modules/windows-admin/main.tf\n")
	moduleCall := g.hcl(t, `module "windows_admin"`)
	g.requireAllClaimed(t)
	tf, providerDir := setup(t)

	t.Run("write-only script", func(t *testing.T) {
		sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
		url, stop := sim.Start()
		defer stop()
		const legacyScript, script1, script2 = "echo legacy-script-51c3", "echo first-script-8e0a", "echo second-script-2b9f"
		ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir, "TF_VAR_bootstrap_script="+script1)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		skipBelow(t, ctx, ws, 1, 11, "a write-only argument")
		// The guide's block refers to a stored key it does not show.
		main := tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms") + `
resource "flexmetal_ssh_key" "deploy" {
  name       = "deploy"
  public_key = "` + simulator.ExamplePublicKeyEd25519 + `"
}
`
		// Moving from post_install_script: the server was ordered with it.
		writeOnly := regexp.MustCompile(`(?m)^\s*post_install_script_wo(_version)?\s*=.*\n`)
		if n := len(writeOnly.FindAllString(worker, -1)); n != 2 {
			t.Fatalf("the guide's worker sets %d of post_install_script_wo and its version, want both", n)
		}
		legacy := writeOnly.ReplaceAllString(worker, "")
		legacy = legacy[:strings.LastIndex(legacy, "}")] + "  post_install_script = \"" + legacyScript + "\"\n}\n"
		writeFiles(t, ws.Dir, map[string]string{"main.tf": main, "worker.tf": legacy})
		if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := ws.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
				t.Error(err)
			}
		}()
		var id string
		for _, s := range sim.Servers() {
			id = s.UUID
			if s.PostInstallScript != legacyScript {
				t.Fatalf("the server was ordered with the script %q, want %q", s.PostInstallScript, legacyScript)
			}
		}

		writeFiles(t, ws.Dir, map[string]string{"worker.tf": worker})
		var out string
		for _, args := range guideCommands(t, move) {
			for i := range args {
				args[i] = uuidPattern.ReplaceAllString(args[i], id)
			}
			if args[0] == "apply" {
				args = append(args, "-auto-approve")
			}
			if out, err = ws.Run(ctx, append(args, "-no-color")...); err != nil {
				t.Fatal(err)
			}
		}
		if strings.Contains(out, "Will Be Reinstalled") || !strings.Contains(out, "0 added, 1 changed, 0 destroyed") {
			t.Errorf("the apply after the import is not an in-place update without a reinstall warning:\n%s", out)
		}
		if n := sim.CountPatches(id); n != 0 {
			t.Errorf("moving to post_install_script_wo reinstalled the server %d times", n)
		}

		// Changing the script: a new version reinstalls with the script of the moment.
		bumped := strings.Replace(worker, "post_install_script_wo_version = 1", "post_install_script_wo_version = 2", 1)
		if bumped == worker {
			t.Fatal("the guide's worker no longer sets post_install_script_wo_version = 1: change this test with it")
		}
		writeFiles(t, ws.Dir, map[string]string{"worker.tf": bumped})
		ws.Env = append(ws.Env, "TF_VAR_bootstrap_script="+script2)
		if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color"); err != nil {
			t.Fatal(err)
		}
		if last, _ := sim.LastReinstall(id); sim.CountPatches(id) != 1 || last.PostInstallScript != script2 {
			t.Errorf("the new version sent %d reinstalls, the last with the script %q; want one with %q", sim.CountPatches(id), last.PostInstallScript, script2)
		}
		state, err := os.ReadFile(filepath.Join(ws.Dir, "terraform.tfstate"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(state), "script-8e0a") || strings.Contains(string(state), "script-2b9f") {
			t.Error("the state holds the write-only script")
		}
	})

	// The Windows root password, read by the ephemeral resource, into AWS Secrets Manager.
	rootPassword := func(t *testing.T, files map[string]string, get bool) {
		sim := simulator.New(simulator.Config{StepDuration: -1, ReleaseDuration: -1})
		url, stop := sim.Start()
		defer stop()
		aws, reattach := serveFakeAWS(t)
		ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir, reattach)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		skipBelow(t, ctx, ws, 1, 11, "a write-only argument")
		files["provider.tf"] = tfrun.ProviderBlock(url, simulator.DefaultAPIKey, "50ms")
		writeFiles(t, ws.Dir, files)
		if get {
			if _, err := ws.Run(ctx, "get", "-no-color"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := ws.Run(ctx, "apply", "-auto-approve", "-no-color"); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if _, err := ws.Run(ctx, "destroy", "-auto-approve", "-no-color"); err != nil {
				t.Error(err)
			}
		}()
		servers := sim.Servers()
		if len(servers) != 1 {
			t.Fatalf("the simulator holds %d servers, want dc-1", len(servers))
		}
		password, ok := sim.RootPassword(servers[0].UUID)
		if !ok {
			t.Fatal("the simulator has no root password for dc-1")
		}
		if got := aws.secretStrings("arn:aws:secretsmanager:eu-west-1:000000000000:secret:flexmetal/dc-1/administrator"); !slices.Equal(got, []string{password}) {
			t.Errorf("the secret version was sent %d secret strings, want the root password once", len(got))
		}
		// A plan reads the password again and sends nothing.
		if out, err := ws.Run(ctx, "plan", "-no-color", "-detailed-exitcode"); err != nil {
			t.Errorf("the plan after the apply is not empty: %v\n%s", err, out)
		}
	}
	t.Run("root password", func(t *testing.T) {
		rootPassword(t, map[string]string{"main.tf": dc}, false)
	})
	// The module's output in place of the ephemeral resource's value, as the guide says.
	viaModule := strings.Replace(dc, "= ephemeral.flexmetal_server_root_password.dc.root_password", "= module.windows_admin.password", 1)
	if viaModule == dc {
		t.Fatal("the guide's secret version no longer takes the ephemeral resource's root_password: change this test with it")
	}
	t.Run("root password through the child module", func(t *testing.T) {
		rootPassword(t, map[string]string{"main.tf": viaModule, "windows_admin.tf": moduleCall, "modules/windows-admin/main.tf": module}, true)
	})
	t.Run("child module without required_providers", func(t *testing.T) {
		ws, err := tfrun.NewWorkspace(tf, t.TempDir(), providerDir)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		skipBelow(t, ctx, ws, 1, 10, "an ephemeral resource")
		terraformBlock := regexp.MustCompile(`(?s)terraform \{\n.*?\n\}\n`)
		bare := terraformBlock.ReplaceAllString(module, "")
		if bare == module {
			t.Fatal("the guide's module has no terraform block: change this test with it")
		}
		writeFiles(t, ws.Dir, map[string]string{
			"main.tf":                       tfrun.ProviderBlock("http://127.0.0.1:1", simulator.DefaultAPIKey, "50ms") + "\nvariable \"dc_id\" {\n  type = string\n}\n",
			"windows_admin.tf":              strings.Replace(moduleCall, "flexmetal_server.dc.id", "var.dc_id", 1),
			"modules/windows-admin/main.tf": bare,
		})
		if _, err := ws.Run(ctx, "get", "-no-color"); err != nil {
			t.Fatal(err)
		}
		out, err := ws.Run(ctx, "plan", "-no-color", "-var=dc_id=x")
		if err == nil || !strings.Contains(out, "registry.terraform.io/hashicorp/flexmetal") {
			t.Errorf("without required_providers the module's plan did not fail on hashicorp/flexmetal, as the guide says: %v\n%s", err, out)
		}
	})
}
