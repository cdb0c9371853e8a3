package config

import (
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestComposeNamesEveryVariable parses compose.yaml and checks that the
// redline service sets every variable the configuration reads (directly or
// as <NAME>_FILE for secrets), and nothing it does not read.
func TestComposeNamesEveryVariable(t *testing.T) {
	b, err := os.ReadFile("../../compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var compose struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("compose.yaml: %v", err)
	}
	for _, s := range []string{"redline", "postgres", "minio"} {
		if _, ok := compose.Services[s]; !ok {
			t.Errorf("compose.yaml has no %s service", s)
		}
	}
	env := compose.Services["redline"].Environment
	known := map[string]bool{}
	for _, v := range Vars {
		known[v.Env] = true
		_, direct := env[v.Env]
		_, file := env[v.Env+"_FILE"]
		if !direct && !(v.Secret && file) {
			t.Errorf("the redline service does not set %s", v.Env)
		}
		if file && !v.Secret {
			t.Errorf("%s_FILE is set but %s is not a secret", v.Env, v.Env)
		}
	}
	for name := range env {
		if !known[name] && !known[strings.TrimSuffix(name, "_FILE")] {
			t.Errorf("the redline service sets %s, which the configuration does not read", name)
		}
	}
	// And the environment compose gives must load cleanly (secrets filled in).
	vals := map[string]string{}
	for k, v := range env {
		if strings.HasSuffix(k, "_FILE") && !known[k] {
			vals[strings.TrimSuffix(k, "_FILE")] = "postgres://redline:x@postgres/redline"
			if k == "REDLINE_S3_SECRET_KEY_FILE" {
				vals["REDLINE_S3_SECRET_KEY"] = "secret"
			}
			continue
		}
		vals[k] = v
	}
	if _, err := Load(func(k string) string { return vals[k] }, nil, nil); err != nil {
		t.Errorf("compose's environment does not load: %v", err)
	}
}
