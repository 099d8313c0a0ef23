package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

// loadCompose parses the repository's docker-compose.yml as docker compose
// would, without a Docker engine.
func loadCompose(t *testing.T) (*types.Project, string) {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithName("newsflow"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := opts.LoadProject(t.Context())
	if err != nil {
		t.Fatalf("docker-compose.yml does not load: %v", err)
	}
	return p, root
}

func TestComposeFile(t *testing.T) {
	p, root := loadCompose(t)
	want := []string{"nats-1", "nats-2", "nats-3", "nats-box", "postgres", "fetcher", "parser", "indexer"}
	for _, name := range want {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("service %s missing", name)
		}
	}

	for _, s := range p.Services {
		t.Run(s.Name, func(t *testing.T) {
			if s.Name != "nats-box" && (s.HealthCheck == nil || len(s.HealthCheck.Test) == 0 || s.HealthCheck.Disable) {
				t.Error("no healthcheck")
			}
			// Every bind-mounted config file exists in the repository.
			for _, v := range s.Volumes {
				if v.Type == types.VolumeTypeBind {
					if _, err := os.Stat(v.Source); err != nil {
						t.Errorf("bind mount %s: %v", v.Source, err)
					}
				}
			}
			// Only the indexer publishes a port, and only on loopback.
			if len(s.Ports) > 0 {
				if s.Name != "indexer" {
					t.Errorf("publishes ports %v: only the indexer may", s.Ports)
				}
				for _, port := range s.Ports {
					if port.HostIP != "127.0.0.1" {
						t.Errorf("port %v published on %q, want 127.0.0.1", port, port.HostIP)
					}
				}
			}
		})
	}

	for _, name := range []string{"nats-1", "nats-2", "nats-3"} {
		s, _ := p.GetService(name)
		if !slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Type == types.VolumeTypeVolume && v.Target == "/data"
		}) {
			t.Errorf("%s: JetStream store /data is not on a named volume", name)
		}
		if s.Environment["SERVER_NAME"] == nil || *s.Environment["SERVER_NAME"] != name {
			t.Errorf("%s: SERVER_NAME not set to its name", name)
		}
	}

	stages := map[string]string{"fetcher": "fetcher", "parser": "parser", "indexer": "indexer"}
	for name, user := range stages {
		s, _ := p.GetService(name)
		if s.Build == nil {
			t.Errorf("%s: no build", name)
			continue
		}
		df := filepath.Join(s.Build.Context, s.Build.Dockerfile)
		data, err := os.ReadFile(df)
		if err != nil {
			t.Errorf("%s: Dockerfile: %v", name, err)
			continue
		}
		if !strings.Contains(string(data), "USER nonroot") || !strings.Contains(string(data), "CGO_ENABLED=0") {
			t.Errorf("%s: Dockerfile must build a static binary and run as non-root", name)
		}
		if s.Build.Context != root {
			t.Errorf("%s: build context %s, want the repository root", name, s.Build.Context)
		}
		env := s.Environment
		for _, key := range []string{"NATS_URL", "NATS_USER", "NATS_PASSWORD", "LOG_LEVEL", "HTTP_ADDR"} {
			if env[key] == nil || *env[key] == "" {
				t.Errorf("%s: env %s not set", name, key)
			}
		}
		if *env["NATS_USER"] != user {
			t.Errorf("%s: connects as %q, want its own user %q", name, *env["NATS_USER"], user)
		}
		if !strings.Contains(*env["NATS_URL"], "nats-2") {
			t.Errorf("%s: NATS_URL %q does not list the cluster", name, *env["NATS_URL"])
		}
		if s.ContainerName != "" {
			t.Errorf("%s: container_name prevents --scale", name)
		}
	}
	for name, replicas := range map[string]int{"fetcher": 2, "parser": 2, "indexer": 1} {
		s, _ := p.GetService(name)
		if got := s.GetScale(); got != replicas {
			t.Errorf("%s: %d replicas, want %d", name, got, replicas)
		}
	}
	idx, _ := p.GetService("indexer")
	if store := idx.Environment["INDEXER_STORE"]; store == nil || !strings.HasPrefix(*store, "postgres://") {
		t.Error("indexer: INDEXER_STORE is not PostgreSQL")
	}
	for _, vol := range []string{"nats-1-data", "nats-2-data", "nats-3-data", "postgres-data"} {
		if _, ok := p.Volumes[vol]; !ok {
			t.Errorf("named volume %s missing", vol)
		}
	}
}

// TestNATSConfigIsDurable checks what the compose file cannot: that the
// mounted server config keeps JetStream on the volume, clustered.
func TestNATSConfigIsDurable(t *testing.T) {
	data, err := os.ReadFile("../../deploy/nats/nats.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(data)
	for _, want := range []string{"store_dir: /data", "cluster {", "nats-route://nats-3:6222", "include accounts.conf", "sync_interval"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nats.conf lacks %q", want)
		}
	}
}
