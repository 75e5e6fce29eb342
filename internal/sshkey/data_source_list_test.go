package sshkey_test

import (
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/flexmetal/terraform-provider-flexmetal/internal/acctest"
	"github.com/flexmetal/terraform-provider-flexmetal/internal/simulator"
)

func sshKeyCheck(k simulator.SSHKeySnapshot) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"id":          knownvalue.StringExact(k.UUID),
		"name":        knownvalue.StringExact(k.Name),
		"public_key":  knownvalue.StringExact(k.PublicKey),
		"fingerprint": knownvalue.StringExact(exampleFingerprints[k.PublicKey]),
		"created_at":  knownvalue.StringExact(k.CreatedAt.UTC().Format(time.RFC3339)),
	})
}

func TestAccSSHKeys_listsStoredKeysOldestFirst(t *testing.T) {
	clock := simulator.NewManualClock(acctest.ClockStart)
	env := acctest.NewSimEnv(t, simulator.Config{Clock: clock})
	mustAddSSHKey := func(name, publicKey string) simulator.SSHKeySnapshot {
		t.Helper()
		clock.Advance(time.Minute)
		k, err := env.Sim.AddSSHKey(name, publicKey)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	first := mustAddSSHKey("laptop", simulator.ExamplePublicKeyEd25519)
	second := mustAddSSHKey("ci", simulator.ExamplePublicKeyECDSA)
	var third simulator.SSHKeySnapshot

	const addr = "data.flexmetal_ssh_keys.all"
	cfg := env.Config(`data "flexmetal_ssh_keys" "all" {}`)
	idChanges := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh_keys"), knownvalue.ListExact([]knownvalue.Check{sshKeyCheck(first), sshKeyCheck(second)})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh_keys").AtSliceIndex(0).AtMapKey("created_at"), knownvalue.StringExact("2025-03-04T05:07:07Z")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
					idChanges.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
			{
				PreConfig: func() { third = mustAddSSHKey("laptop", simulator.ExamplePublicKeyRSA) },
				Config:    cfg,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh_keys"), knownvalue.ListSizeExact(3)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh_keys").AtSliceIndex(2).AtMapKey("name"), knownvalue.StringExact("laptop")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("ssh_keys").AtSliceIndex(2).AtMapKey("public_key"), knownvalue.StringExact(simulator.ExamplePublicKeyRSA)),
					idChanges.AddStateValue(addr, tfjsonpath.New("id")),
				},
			},
		},
	})
	if third.UUID == "" {
		t.Error("the third key was never added")
	}
}

func TestAccSSHKeys_emptyAccount(t *testing.T) {
	env := acctest.NewSimEnv(t, simulator.Config{})
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: env.Factories,
		Steps: []resource.TestStep{{
			Config: env.Config(`data "flexmetal_ssh_keys" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.flexmetal_ssh_keys.all", tfjsonpath.New("ssh_keys"), knownvalue.ListSizeExact(0)),
				statecheck.ExpectKnownValue("data.flexmetal_ssh_keys.all", tfjsonpath.New("id"), knownvalue.StringRegexp(acctest.ListIDPattern)),
			},
		}},
	})
}
