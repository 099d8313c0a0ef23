package main

import (
	"encoding/json"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/newsflow/newsflow/pkg/bus"
	"go.yaml.in/yaml/v4"
)

// repoRoot is the repository's root directory.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// loadComposeEnv parses the repository's docker-compose.yml as docker
// compose would, without a Docker engine, with the variables of envFiles
// (paths relative to the repository root) and every profile enabled.
func loadComposeEnv(t *testing.T, envFiles ...string) (*types.Project, error) {
	t.Helper()
	root := repoRoot(t)
	files := make([]string, len(envFiles))
	for i, f := range envFiles {
		files[i] = filepath.Join(root, f)
	}
	opts, err := cli.NewProjectOptions([]string{filepath.Join(root, "docker-compose.yml")},
		cli.WithWorkingDirectory(root), cli.WithName("newsflow"), cli.WithEnv(nil),
		cli.WithEnvFiles(files...), cli.WithDotEnv, cli.WithProfiles([]string{"*"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		opts.EnvFiles = nil // never the developer's own .env
	}
	return opts.LoadProject(t.Context())
}

// loadCompose loads the compose file with the development passwords of
// .env.dev, as `cp .env.dev .env` would.
func loadCompose(t *testing.T) (*types.Project, string) {
	t.Helper()
	p, err := loadComposeEnv(t, ".env.dev")
	if err != nil {
		t.Fatalf("docker-compose.yml does not load with .env.dev: %v", err)
	}
	return p, repoRoot(t)
}

func service(t *testing.T, p *types.Project, name string) types.ServiceConfig {
	t.Helper()
	s, err := p.GetService(name)
	if err != nil {
		t.Fatalf("service %s missing", name)
	}
	return s
}

func env(s types.ServiceConfig, key string) string {
	if v := s.Environment[key]; v != nil {
		return *v
	}
	return ""
}

// The services that run once and exit, with no healthcheck.
var oneShot = map[string]bool{"setup": true, "newsflow": true}

func TestComposeFile(t *testing.T) {
	p, root := loadCompose(t)
	want := []string{"nats-1", "nats-2", "nats-3", "setup", "newsflow", "nats-box", "postgres", "fetcher", "parser", "indexer",
		"nats-exporter-1", "nats-exporter-2", "nats-exporter-3", "prometheus", "grafana"}
	for _, name := range want {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("service %s missing", name)
		}
	}
	published := map[string]bool{"indexer": true, "grafana": true, "prometheus": true, "nats-1": true}

	for _, s := range p.Services {
		t.Run(s.Name, func(t *testing.T) {
			switch {
			case oneShot[s.Name]:
				if s.Restart != "" && s.Restart != "no" {
					t.Errorf("one-shot service restarts %q", s.Restart)
				}
			case s.HealthCheck != nil && s.HealthCheck.Disable:
				if s.Name != "nats-box" && !strings.HasPrefix(s.Name, "nats-exporter-") {
					t.Error("healthcheck disabled")
				}
			case s.Name != "nats-box" && (s.HealthCheck == nil || len(s.HealthCheck.Test) == 0):
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
			// Ports only on loopback, only for the UIs and NATS' client port.
			if len(s.Ports) > 0 && !published[s.Name] {
				t.Errorf("publishes ports %v: only %v may", s.Ports, slices.Sorted(maps.Keys(published)))
			}
			for _, port := range s.Ports {
				if port.HostIP != "127.0.0.1" {
					t.Errorf("port %v published on %q, want 127.0.0.1", port, port.HostIP)
				}
			}
			// Log rotation.
			if s.Logging == nil || s.Logging.Driver != "json-file" || s.Logging.Options["max-size"] == "" || s.Logging.Options["max-file"] == "" {
				t.Errorf("logging %+v: want json-file with max-size and max-file", s.Logging)
			}
			// Resource limits.
			if s.Deploy == nil || s.Deploy.Resources.Limits == nil ||
				s.Deploy.Resources.Limits.MemoryBytes <= 0 || s.Deploy.Resources.Limits.NanoCPUs <= 0 {
				t.Error("no memory and cpu limits (deploy.resources.limits)")
			}
			if s.ContainerName != "" {
				t.Error("container_name prevents --scale")
			}
			if s.Image != "" && s.Build == nil {
				checkPinned(t, "image", s.Image)
			}
			if s.Build != nil {
				if s.Build.Context != root {
					t.Errorf("build context %s, want the repository root", s.Build.Context)
				}
				checkDockerfile(t, filepath.Join(s.Build.Context, s.Build.Dockerfile))
			}
		})
	}

	for _, name := range []string{"nats-1", "nats-2", "nats-3"} {
		s := service(t, p, name)
		if !slices.ContainsFunc(s.Volumes, func(v types.ServiceVolumeConfig) bool {
			return v.Type == types.VolumeTypeVolume && v.Target == "/data"
		}) {
			t.Errorf("%s: JetStream store /data is not on a named volume", name)
		}
		if env(s, "SERVER_NAME") != name {
			t.Errorf("%s: SERVER_NAME not set to its name", name)
		}
	}

	setupSvc := service(t, p, "setup")
	if !slices.Equal(setupSvc.Command, types.ShellCommand{"setup"}) || env(setupSvc, "NATS_USER") != "admin" {
		t.Errorf("setup: command %v as %q, want `newsflow setup` as the admin", setupSvc.Command, env(setupSvc, "NATS_USER"))
	}
	for name, user := range map[string]string{"fetcher": "fetcher", "parser": "parser", "indexer": "indexer"} {
		s := service(t, p, name)
		if s.Build == nil {
			t.Errorf("%s: no build", name)
			continue
		}
		for _, key := range []string{"NATS_URL", "NATS_USER", "NATS_PASSWORD", "LOG_LEVEL", "HTTP_ADDR", "NATS_INBOX_PREFIX", "NATS_REPLICAS"} {
			if env(s, key) == "" {
				t.Errorf("%s: env %s not set", name, key)
			}
		}
		if env(s, "NATS_USER") != user {
			t.Errorf("%s: connects as %q, want its own user %q", name, env(s, "NATS_USER"), user)
		}
		if got, want := env(s, "NATS_INBOX_PREFIX"), "_INBOX_"+user; got != want {
			t.Errorf("%s: inbox prefix %q, want %q (the only inbox its user may subscribe to)", name, got, want)
		}
		if !strings.Contains(env(s, "NATS_URL"), "nats-2") {
			t.Errorf("%s: NATS_URL %q does not list the cluster", name, env(s, "NATS_URL"))
		}
		if env(s, "NATS_REPLICAS") != env(setupSvc, "NATS_REPLICAS") {
			t.Errorf("%s: NATS_REPLICAS %q, setup creates %q", name, env(s, "NATS_REPLICAS"), env(setupSvc, "NATS_REPLICAS"))
		}
		// The stages may not create streams: they wait for setup.
		if d, ok := s.DependsOn["setup"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
			t.Errorf("%s: does not wait for setup to complete (depends_on %+v)", name, s.DependsOn)
		}
		if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
			if lim, ok := goMemLimit(env(s, "GOMEMLIMIT")); !ok || lim >= int64(s.Deploy.Resources.Limits.MemoryBytes) {
				t.Errorf("%s: GOMEMLIMIT %q, want below the container's memory limit %d", name, env(s, "GOMEMLIMIT"), s.Deploy.Resources.Limits.MemoryBytes)
			}
		}
	}
	for name, replicas := range map[string]int{"fetcher": 2, "parser": 2, "indexer": 1} {
		s := service(t, p, name)
		if got := s.GetScale(); got != replicas {
			t.Errorf("%s: %d replicas, want %d", name, got, replicas)
		}
	}
	if store := env(service(t, p, "indexer"), "INDEXER_STORE"); !strings.HasPrefix(store, "postgres://") {
		t.Error("indexer: INDEXER_STORE is not PostgreSQL")
	}

	tools := service(t, p, "newsflow")
	if tools.Build == nil || filepath.Join(tools.Build.Context, tools.Build.Dockerfile) != filepath.Join(root, "cmd", "newsflow", "Dockerfile") {
		t.Errorf("newsflow: not built from cmd/newsflow/Dockerfile")
	}
	if env(tools, "NATS_USER") != "admin" || env(tools, "NATS_PASSWORD") != env(service(t, p, "nats-1"), "ADMIN_NATS_PASSWORD") {
		t.Error("newsflow: the tools do not connect with the admin's credentials")
	}
	if api := env(tools, "NEWSFLOW_API"); api != "http://indexer:8080" {
		t.Errorf("newsflow: NEWSFLOW_API %q, want the indexer inside the cluster", api)
	}
	if len(tools.Profiles) == 0 {
		t.Error("newsflow: without a profile, `docker compose up` starts the tools image and it exits")
	}

	for _, vol := range []string{"nats-1-data", "nats-2-data", "nats-3-data", "postgres-data", "prometheus-data", "grafana-data"} {
		if _, ok := p.Volumes[vol]; !ok {
			t.Errorf("named volume %s missing", vol)
		}
	}
}

func goMemLimit(s string) (int64, bool) {
	for suffix, mult := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			var v int64
			for _, c := range n {
				if c < '0' || c > '9' {
					return 0, false
				}
				v = v*10 + int64(c-'0')
			}
			return v * mult, v > 0
		}
	}
	return 0, false
}

// pinnedTag is an exact release: 2.15.2, v3.5.0, 16.10-alpine, 1.26.8.
var pinnedTag = regexp.MustCompile(`^v?\d+\.\d+(\.\d+)?(-[a-z0-9.]+)?$`)

// checkPinned fails unless ref names an exact version (or a digest).
func checkPinned(t *testing.T, what, ref string) {
	t.Helper()
	if strings.Contains(ref, "@sha256:") {
		return
	}
	name, tag, ok := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
	if !ok || !pinnedTag.MatchString(tag) {
		t.Errorf("%s %s is not pinned to an exact version", what, ref)
	}
	// Major.minor alone is a moving tag for everything but PostgreSQL's
	// minor releases (16.10): require three parts elsewhere.
	if name != "postgres" && strings.Count(strings.SplitN(tag, "-", 2)[0], ".") < 2 {
		t.Errorf("%s %s: want major.minor.patch", what, ref)
	}
}

// checkDockerfile checks a Dockerfile builds a static binary, runs it as
// non-root, and pins its build image. distroless publishes no version
// tags, only a Debian release: it is the one allowed unversioned base.
func checkDockerfile(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("Dockerfile: %v", err)
		return
	}
	df := string(data)
	if !strings.Contains(df, "USER nonroot") || !strings.Contains(df, "CGO_ENABLED=0") {
		t.Errorf("%s must build a static binary and run as non-root", path)
	}
	if !strings.Contains(df, "ARG VERSION") || !strings.Contains(df, "buildinfo.Version=${VERSION}") {
		t.Errorf("%s does not set the build's version (ARG VERSION, -X .../buildinfo.Version=${VERSION})", path)
	}
	if !strings.Contains(df, "COPY go.work go.work.sum") {
		t.Errorf("%s does not copy go.work.sum: the workspace build cannot verify its modules", path)
	}
	for _, m := range regexp.MustCompile(`(?m)^FROM\s+(\S+)`).FindAllStringSubmatch(df, -1) {
		if strings.HasPrefix(m[1], "gcr.io/distroless/static-debian") {
			continue
		}
		checkPinned(t, filepath.Base(filepath.Dir(path))+" FROM", m[1])
	}
}

// TestComposeRefusesDefaultPasswords: without a .env (or with the
// template's empty values) compose refuses to start, saying what to do;
// no secret has a default in the file.
func TestComposeRefusesDefaultPasswords(t *testing.T) {
	for _, files := range [][]string{nil, {".env.example"}} {
		_, err := loadComposeEnv(t, files...)
		if err == nil {
			t.Errorf("env files %v: docker-compose.yml loads without passwords", files)
			continue
		}
		if !strings.Contains(err.Error(), ".env") {
			t.Errorf("env files %v: refusal %q does not say to set the passwords in .env", files, err)
		}
	}
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	compose := string(data)
	if m := regexp.MustCompile(`\$\{[A-Z_]*PASSWORD:?-[^}]*\}`).FindString(compose); m != "" {
		t.Errorf("docker-compose.yml gives a password a default: %s", m)
	}
	example, err := dotenv.Read(filepath.Join(repoRoot(t), ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	dev, err := dotenv.Read(filepath.Join(repoRoot(t), ".env.dev"))
	if err != nil {
		t.Fatal(err)
	}
	var secrets []string
	for k := range example {
		if strings.HasSuffix(k, "_PASSWORD") {
			secrets = append(secrets, k)
		}
	}
	if len(secrets) < 8 {
		t.Fatalf(".env.example lists only the secrets %v", secrets)
	}
	for _, k := range secrets {
		if example[k] != "" {
			t.Errorf(".env.example: %s has a value; a copied template must not start a cluster with it", k)
		}
		if dev[k] == "" {
			t.Errorf(".env.dev: %s has no development value", k)
		}
		if !strings.Contains(compose, "${"+k+":?") {
			t.Errorf("docker-compose.yml does not require %s (${%s:?...})", k, k)
		}
	}
	// Every variable the file reads is documented in .env.example.
	for _, m := range regexp.MustCompile(`\$\{([A-Z_]+)`).FindAllStringSubmatch(compose, -1) {
		if _, ok := example[m[1]]; !ok {
			t.Errorf("docker-compose.yml reads %s, which .env.example does not document", m[1])
		}
	}
}

func TestDockerignore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Fields(string(data))
	for _, want := range []string{".git", "bin/", ".newsflow/", "**/*.db", ".env", ".env.*"} {
		if !slices.Contains(lines, want) {
			t.Errorf(".dockerignore does not exclude %s", want)
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
	for _, want := range []string{"store_dir: /data", "cluster {", "nats-route://nats-3:6222", "include accounts.conf", "sync_interval", "http: 0.0.0.0:8222"} {
		if !strings.Contains(conf, want) {
			t.Errorf("nats.conf lacks %q", want)
		}
	}
}

// hostPort splits "host:port", failing the test on anything else.
func hostPort(t *testing.T, addr string) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return h, p
}

// httpPort returns the port a stage listens on, from its HTTP_ADDR.
func httpPort(t *testing.T, s types.ServiceConfig) string {
	t.Helper()
	_, port := hostPort(t, env(s, "HTTP_ADDR"))
	return port
}

// TestPrometheusScrapesTheCluster checks deploy/prometheus/prometheus.yml
// against the compose file: the prometheus service mounts it, and every
// job's targets are compose services on the ports they serve metrics on,
// including NATS through one exporter per node.
func TestPrometheusScrapesTheCluster(t *testing.T) {
	p, root := loadCompose(t)
	prom := service(t, p, "prometheus")
	if !slices.ContainsFunc(prom.Volumes, func(v types.ServiceVolumeConfig) bool {
		return v.Source == filepath.Join(root, "deploy", "prometheus", "prometheus.yml") && v.Target == "/etc/prometheus/prometheus.yml"
	}) {
		t.Fatal("the prometheus service does not mount deploy/prometheus/prometheus.yml")
	}
	data, err := os.ReadFile(filepath.Join(root, "deploy", "prometheus", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		ScrapeConfigs []struct {
			JobName       string `yaml:"job_name"`
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
			DNSSDConfigs []struct {
				Names []string `yaml:"names"`
				Type  string   `yaml:"type"`
				Port  int      `yaml:"port"`
			} `yaml:"dns_sd_configs"`
		} `yaml:"scrape_configs"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatalf("prometheus.yml: %v", err)
	}
	jobs := map[string][]string{} // job -> host:port targets
	for _, sc := range cfg.ScrapeConfigs {
		for _, st := range sc.StaticConfigs {
			jobs[sc.JobName] = append(jobs[sc.JobName], st.Targets...)
		}
		for _, d := range sc.DNSSDConfigs {
			for _, n := range d.Names {
				jobs[sc.JobName] = append(jobs[sc.JobName], net.JoinHostPort(n, itoa(d.Port)))
			}
		}
	}
	for _, stage := range []string{"fetcher", "parser", "indexer"} {
		want := net.JoinHostPort(stage, httpPort(t, service(t, p, stage)))
		if !slices.Equal(jobs[stage], []string{want}) {
			t.Errorf("job %s scrapes %v, want %s", stage, jobs[stage], want)
		}
	}
	if len(jobs["nats"]) != 3 {
		t.Fatalf("job nats scrapes %v, want one exporter per NATS node", jobs["nats"])
	}
	monitored := map[string]bool{}
	for _, target := range jobs["nats"] {
		host, port := hostPort(t, target)
		exp := service(t, p, host)
		checkPinned(t, "exporter image", exp.Image)
		args := strings.Join(exp.Command, " ")
		if !strings.Contains(args, "-port "+port) || !strings.Contains(args, "-jsz") {
			t.Errorf("%s: command %q does not serve JetStream metrics on :%s", host, args, port)
		}
		u, err := url.Parse(exp.Command[len(exp.Command)-1])
		if err != nil || u.Port() != "8222" {
			t.Errorf("%s: does not read a NATS monitoring port (8222): %q", host, exp.Command)
			continue
		}
		service(t, p, u.Hostname())
		monitored[u.Hostname()] = true
	}
	if len(monitored) != 3 {
		t.Errorf("the exporters read %v, want nats-1..3", monitored)
	}
}

// TestGrafanaIsProvisioned checks the grafana service gets the Prometheus
// datasource and the Newsflow dashboard from deploy/grafana, and that the
// dashboard's lag panel does not add up replicas.
func TestGrafanaIsProvisioned(t *testing.T) {
	p, root := loadCompose(t)
	g := service(t, p, "grafana")
	checkPinned(t, "image", g.Image)
	mounts := map[string]string{} // target -> source
	for _, v := range g.Volumes {
		mounts[v.Target] = v.Source
	}
	if mounts["/etc/grafana/provisioning"] != filepath.Join(root, "deploy", "grafana", "provisioning") {
		t.Fatalf("grafana mounts %v: want deploy/grafana/provisioning on /etc/grafana/provisioning", mounts)
	}
	var ds struct {
		Datasources []struct {
			Name, Type, URL, UID string
			IsDefault            bool `yaml:"isDefault"`
		} `yaml:"datasources"`
	}
	readYAML(t, filepath.Join(root, "deploy", "grafana", "provisioning", "datasources", "prometheus.yml"), &ds)
	if len(ds.Datasources) != 1 || ds.Datasources[0].Type != "prometheus" || !ds.Datasources[0].IsDefault {
		t.Fatalf("datasources %+v: want one default prometheus", ds.Datasources)
	}
	u, err := url.Parse(ds.Datasources[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	service(t, p, u.Hostname())
	if u.Hostname() != "prometheus" || u.Port() != "9090" {
		t.Errorf("datasource URL %s, want the prometheus service on 9090", u)
	}

	var dash struct {
		Providers []struct {
			Type    string
			Options struct{ Path string }
		} `yaml:"providers"`
	}
	readYAML(t, filepath.Join(root, "deploy", "grafana", "provisioning", "dashboards", "newsflow.yml"), &dash)
	if len(dash.Providers) != 1 || dash.Providers[0].Type != "file" {
		t.Fatalf("dashboard providers %+v: want one file provider", dash.Providers)
	}
	dir := dash.Providers[0].Options.Path
	src := mounts[dir+"/newsflow.json"]
	if src != filepath.Join(root, "deploy", "grafana", "newsflow.json") {
		t.Fatalf("the provider reads %s, where grafana mounts %q, not deploy/grafana/newsflow.json", dir, src)
	}
	if home := env(g, "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"); home != dir+"/newsflow.json" {
		t.Errorf("home dashboard %q, want the Newsflow dashboard", home)
	}

	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Templating struct {
			List []struct{ Name, Type, Query string }
		}
		Panels []struct {
			Title   string
			Targets []struct{ Expr string }
		}
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(d.Templating.List, func(v struct{ Name, Type, Query string }) bool {
		return v.Name == "datasource" && v.Type == "datasource" && v.Query == ds.Datasources[0].Type
	}) {
		t.Errorf("the dashboard's datasource variable does not select %s datasources: %+v", ds.Datasources[0].Type, d.Templating.List)
	}
	// A consumer's lag is one value that every replica reports: summing
	// over replicas multiplies it.
	lag := 0
	for _, panel := range d.Panels {
		for _, target := range panel.Targets {
			if strings.Contains(target.Expr, "newsflow_consumer_") {
				lag++
				if !strings.HasPrefix(target.Expr, "max by (consumer)") {
					t.Errorf("panel %q: %q, want max by (consumer): replicas report the same consumer", panel.Title, target.Expr)
				}
			}
		}
	}
	if lag == 0 {
		t.Error("no panel shows consumer lag")
	}
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// newsflowCommands returns the commands `newsflow` knows, from its usage.
func newsflowCommands() map[string]bool {
	cmds := map[string]bool{}
	_, list, _ := strings.Cut(usage, "Commands:\n")
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, "  ") {
			if f := strings.Fields(line); len(f) > 0 {
				cmds[f[0]] = true
			}
		}
	}
	return cmds
}

// TestDocsComposeCommands reads every `docker compose ...` command in the
// operator's docs and in the compose file's header and checks it names
// services that exist and, for the tools image, a newsflow command.
func TestDocsComposeCommands(t *testing.T) {
	p, root := loadCompose(t)
	cmds := newsflowCommands()
	if !cmds["setup"] || !cmds["ledger"] {
		t.Fatalf("newsflow commands from its usage: %v", cmds)
	}
	seen := 0
	for _, doc := range []string{"docs/OPERATIONS.md", "README.md", "docker-compose.yml"} {
		data, err := os.ReadFile(filepath.Join(root, doc))
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range strings.Split(string(data), "\n") {
			_, rest, ok := strings.Cut(line, "docker compose ")
			if !ok {
				continue
			}
			seen++
			where := doc + ":" + strconv.Itoa(n+1)
			checkComposeCommand(t, p, cmds, where, rest)
		}
	}
	if seen < 8 {
		t.Errorf("found only %d docker compose commands in the docs", seen)
	}
}

// checkComposeCommand checks one command line after "docker compose ".
func checkComposeCommand(t *testing.T, p *types.Project, cmds map[string]bool, where, line string) {
	t.Helper()
	var words []string
	for _, w := range strings.Fields(line) {
		if w == "|" || w == ">" || w == "<" || w == "#" || w == "&&" || strings.HasPrefix(w, "`") {
			break
		}
		words = append(words, strings.Trim(w, "`"))
	}
	exists := func(name string) {
		if _, err := p.GetService(name); err != nil {
			t.Errorf("%s: docker compose %s: no service %q", where, line, name)
		}
	}
	// Global flags.
	for len(words) > 0 && strings.HasPrefix(words[0], "-") {
		if words[0] == "--env-file" && len(words) > 1 {
			if _, err := os.Stat(filepath.Join(repoRoot(t), words[1])); err != nil {
				t.Errorf("%s: --env-file %s: %v", where, words[1], err)
			}
			words = words[1:]
		}
		words = words[1:]
	}
	if len(words) == 0 {
		return
	}
	sub, args := words[0], words[1:]
	// Skip a subcommand's flags; return what follows.
	operands := func(args []string, withValue ...string) []string {
		for len(args) > 0 && strings.HasPrefix(args[0], "-") {
			if slices.Contains(withValue, args[0]) && len(args) > 1 {
				args = args[1:]
			}
			args = args[1:]
		}
		return args
	}
	switch sub {
	case "up":
		for i, a := range args {
			if a == "--scale" && i+1 < len(args) {
				name, _, _ := strings.Cut(args[i+1], "=")
				exists(name)
			}
		}
	case "exec":
		ops := operands(args, "-u", "--user", "-w", "--workdir", "-e", "--env")
		if len(ops) == 0 {
			t.Errorf("%s: docker compose exec without a service", where)
			return
		}
		exists(ops[0])
		if oneShot[ops[0]] {
			t.Errorf("%s: exec in %s, which runs once and exits: use docker compose run --rm", where, ops[0])
		}
	case "run":
		ops := operands(args, "-e", "--env", "--entrypoint", "-u", "--user", "-w", "--workdir")
		if len(ops) == 0 {
			t.Errorf("%s: docker compose run without a service", where)
			return
		}
		exists(ops[0])
		if ops[0] == "newsflow" && (len(ops) < 2 || !cmds[ops[1]]) {
			t.Errorf("%s: docker compose run newsflow %v: not a newsflow command", where, ops[1:])
		}
	case "logs":
		for _, name := range operands(args, "--tail", "--since", "--until", "-n") {
			exists(name)
		}
		if strings.Contains(line, "jq") && !strings.Contains(line, "--no-log-prefix") {
			t.Errorf("%s: logs piped to jq need --no-log-prefix, else no line is JSON", where)
		}
	}
}

// TestStreamLimitsFitTheStore: every stream is bounded in bytes, and the
// bytes JetStream reserves for them fit each node's max_file_store
// (every node of the compose cluster holds a replica of every stream).
func TestStreamLimitsFitTheStore(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "deploy", "nats", "nats.conf"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^\s*max_file_store:\s*(\d+)GB\s*$`).FindStringSubmatch(string(data))
	if m == nil {
		t.Fatal("nats.conf sets no max_file_store in GB")
	}
	gb, _ := strconv.ParseInt(m[1], 10, 64)
	store := gb << 30
	var reserved int64
	for _, s := range (bus.Topology{Replicas: 3}).Streams() {
		if s.MaxBytes <= 0 {
			t.Errorf("stream %s has no MaxBytes", s.Name)
		}
		if s.MaxMsgs > 0 && s.MaxMsgSize > 0 && s.MaxBytes >= s.MaxMsgs*int64(s.MaxMsgSize) {
			t.Errorf("stream %s: MaxBytes %d does not bound MaxMsgs x MaxMsgSize", s.Name, s.MaxBytes)
		}
		reserved += s.MaxBytes
	}
	if reserved > store/2 {
		t.Errorf("the streams reserve %d bytes per node; max_file_store %d leaves under half for the buckets", reserved, store)
	}
}
