package e2e

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/tfrun"
)

// skipBelow skips the test when the workspace's CLI is older than major.minor.
func skipBelow(t *testing.T, ctx context.Context, ws *tfrun.Workspace, major, minor int, why string) {
	t.Helper()
	out, err := ws.Command(ctx, "version", "-json").Output()
	if err != nil {
		t.Fatalf("%s version -json: %v", ws.Binary, err)
	}
	var v struct {
		Version string `json:"terraform_version"`
	}
	if err := json.Unmarshal(out, &v); err != nil {
		t.Fatalf("decoding %s version -json: %v\n%s", ws.Binary, err, out)
	}
	parts := strings.SplitN(v.Version, ".", 3)
	gotMajor, _ := strconv.Atoi(parts[0])
	gotMinor := 0
	if len(parts) > 1 {
		gotMinor, _ = strconv.Atoi(parts[1])
	}
	if gotMajor < major || gotMajor == major && gotMinor < minor {
		t.Skipf("%s is version %s; %s needs %d.%d or later", filepath.Base(ws.Binary), v.Version, why, major, minor)
	}
}

// secretsConfig is a Windows server whose root password, read by the ephemeral resource, passes
// through a child module's ephemeral output into the write-only post-install script of a Linux
// server, after the script from an ephemeral variable (a script that joins the Linux server to
// the Windows server's domain, say).
func secretsConfig(url string, version int) string {
	return tfrun.ProviderBlock(url, "", "50ms") + fmt.Sprintf(`
variable "script" {
  type      = string
  ephemeral = true
}

resource "flexmetal_server" "dc" {
  name          = "dc-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "windows-2025" }
}

ephemeral "flexmetal_server_root_password" "dc" {
  server_id = flexmetal_server.dc.id
}

module "admin" {
  source   = "./admin"
  password = ephemeral.flexmetal_server_root_password.dc.root_password
}

resource "flexmetal_server" "app" {
  name          = "app-1"
  location      = "EU: Rotterdam"
  instance_type = "bm7.std.8"
  os            = { slug = "ubuntu-2404-lts" }
  ssh_keys      = [%[1]q]

  post_install_script_wo         = "${var.script}\nADMIN_PASSWORD='${module.admin.password}'\n"
  post_install_script_wo_version = %[2]d
  allow_reinstall                = true
}
`, simulator.ExamplePublicKeyEd25519, version)
}

// secretsModule passes a password through, as a module that configures something with it would.
const secretsModule = `
variable "password" {
  type      = string
  ephemeral = true
}

output "password" {
  value     = var.password
  ephemeral = true
}
`

// TestSecrets_notInStatePlanOrLog applies the write-only script and the ephemeral root password
// with the real CLI and looks for both, and the API key, as plain text in the state file, in a
// saved plan (its `show -json` and every part of the file) and in a TF_LOG=TRACE log of every
// command. The version bump reinstalls the Linux server with the new script.
func TestSecrets_notInStatePlanOrLog(t *testing.T) {
	tf, providerDir := setup(t)
	dir := t.TempDir()
	logFile := filepath.Join(t.TempDir(), "trace.log")
	const script1, script2 = "#!/bin/bash\necho first-script-9f2c", "#!/bin/bash\necho second-script-7d1e"
	// The API key comes from the environment, as the secrets guide recommends.
	const apiKey = "e2e-secret-key-4b7a"
	sim := simulator.New(simulator.Config{APIKey: apiKey, StepDuration: 10 * time.Millisecond, ReleaseDuration: 10 * time.Millisecond})
	url, stop := sim.Start()
	defer stop()
	ws, err := tfrun.NewWorkspace(tf, dir, providerDir, "TF_LOG=TRACE", "TF_LOG_PATH="+logFile, "FLEXMETAL_API_KEY="+apiKey)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	skipBelow(t, ctx, ws, 1, 11, "a write-only attribute")

	if err := os.MkdirAll(filepath.Join(dir, "admin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "admin", "main.tf"), []byte(secretsModule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ws.WriteConfig(secretsConfig(url, 1)); err != nil {
		t.Fatal(err)
	}
	ws.Env = append(ws.Env, "TF_VAR_script="+script1)
	// Installs the local module; unlike init it needs no provider.
	if _, err := ws.Run(ctx, "get"); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Run(ctx, "apply", "-auto-approve"); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := ws.Run(ctx, "destroy", "-auto-approve"); err != nil {
			t.Error(err)
		}
	}()
	ids := map[string]string{}
	for _, s := range sim.Servers() {
		ids[s.Name] = s.UUID
	}
	password, ok := sim.RootPassword(ids["dc-1"])
	if !ok || password == "" {
		t.Fatalf("the Windows server %s has no root password", ids["dc-1"])
	}
	app, _ := sim.Server(ids["app-1"])
	if want := script1 + "\nADMIN_PASSWORD='" + password + "'\n"; app.PostInstallScript != want {
		t.Fatalf("the Linux server was ordered with the script %q, want %q", app.PostInstallScript, want)
	}

	// Now the password is read during the plan too; the new version reinstalls.
	ws.Env = append(ws.Env, "TF_VAR_script="+script2)
	if err := ws.WriteConfig(secretsConfig(url, 2)); err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Run(ctx, "plan", "-out=tfplan"); err != nil {
		t.Fatal(err)
	}
	planJSON, err := ws.Command(ctx, "show", "-json", "tfplan").Output()
	if err != nil {
		t.Fatalf("show -json tfplan: %v", err)
	}
	if _, err := ws.Run(ctx, "apply", "tfplan"); err != nil {
		t.Fatal(err)
	}
	last, _ := sim.LastReinstall(ids["app-1"])
	if want := script2 + "\nADMIN_PASSWORD='" + password + "'\n"; last.PostInstallScript != want {
		t.Errorf("the version bump reinstalled with the script %q, want %q", last.PostInstallScript, want)
	}
	stateJSON, err := ws.Command(ctx, "show", "-json").Output()
	if err != nil {
		t.Fatalf("show -json: %v", err)
	}

	artifacts := map[string][]byte{"show -json tfplan": planJSON, "show -json": stateJSON}
	for name, path := range map[string]string{"terraform.tfstate": filepath.Join(dir, "terraform.tfstate"), "TRACE log": logFile} {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		artifacts[name] = raw
	}
	// A saved plan is a zip archive (the plan, the prior state, a copy of the configuration):
	// look inside each part.
	zr, err := zip.OpenReader(filepath.Join(dir, "tfplan"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := io.ReadAll(r)
		r.Close()
		if err != nil {
			t.Fatal(err)
		}
		artifacts["tfplan:"+f.Name] = raw
	}
	if log := string(artifacts["TRACE log"]); !strings.Contains(log, "FlexMetal server root password read") || !strings.Contains(log, "FlexMetal server reinstall requested") {
		t.Errorf("the TRACE log lacks the provider's own messages; is it the right file?")
	}
	secrets := map[string]string{apiKey: "the API key", password: "the root password", "first-script-9f2c": "the first script", "second-script-7d1e": "the second script"}
	for name, raw := range artifacts {
		for secret, what := range secrets {
			if strings.Contains(string(raw), secret) {
				t.Errorf("%s contains %s", name, what)
			}
		}
	}
	t.Logf("searched %d artifacts, %d bytes of TRACE log", len(artifacts), len(artifacts["TRACE log"]))
}
