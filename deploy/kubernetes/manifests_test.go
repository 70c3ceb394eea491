package kubernetes_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	"github.com/prometheus/client_golang/prometheus"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/cli"
	"github.com/karafka-actors/karafka-actors/ops"
)

// The files of this directory that are not Kubernetes objects.
const (
	configFile        = "karafka.yaml"       // the server's config file (a ConfigMap by configMapGenerator)
	kustomizationFile = "kustomization.yaml" // kustomize's, decoded into the kustomization mirror
)

// serverBoundsAfterShutdownTimeout is how long the server may take after
// shutdown_timeout to exit on SIGTERM (cli/server.go): App.Shutdown is given
// shutdown_timeout + 10 s (flush, commit, leave), then each service hook,
// the ops HTTP server among them, 5 s to stop, then the tracer provider 5 s
// to export the last spans.
const serverBoundsAfterShutdownTimeout = 20 * time.Second

// peakRSS is the largest peak RSS of the throughput runs in
// docs/benchmarks.md (karafka-jsonschema, 91 MiB): the memory request must
// hold it.
var peakRSS = resource.MustParse("91Mi")

// scaledObject mirrors KEDA's ScaledObject (keda.sh/v1alpha1; Go type
// github.com/kedacore/keda/v2/apis/keda/v1alpha1.ScaledObject), its spec's
// fields with their JSON names, so that a strict decode refuses a misspelt
// field. kedacore's module is not used: its latest version (v2.21.1) needs
// Go 1.27.4, and it would bring KEDA's scalers' dependencies along.
type scaledObject struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              scaledObjectSpec `json:"spec"`
}

type scaledObjectSpec struct {
	ScaleTargetRef        *scaleTarget    `json:"scaleTargetRef"`
	PollingInterval       *int32          `json:"pollingInterval,omitempty"`
	InitialCooldownPeriod *int32          `json:"initialCooldownPeriod,omitempty"`
	CooldownPeriod        *int32          `json:"cooldownPeriod,omitempty"`
	IdleReplicaCount      *int32          `json:"idleReplicaCount,omitempty"`
	MinReplicaCount       *int32          `json:"minReplicaCount,omitempty"`
	MaxReplicaCount       *int32          `json:"maxReplicaCount,omitempty"`
	Advanced              *advancedConfig `json:"advanced,omitempty"`
	Triggers              []scaleTrigger  `json:"triggers"`
	Fallback              *struct {
		FailureThreshold int32  `json:"failureThreshold"`
		Replicas         int32  `json:"replicas"`
		Behavior         string `json:"behavior,omitempty"`
	} `json:"fallback,omitempty"`
}

type scaleTarget struct {
	Name                   string `json:"name"`
	APIVersion             string `json:"apiVersion,omitempty"`
	Kind                   string `json:"kind,omitempty"`
	EnvSourceContainerName string `json:"envSourceContainerName,omitempty"`
}

type advancedConfig struct {
	HorizontalPodAutoscalerConfig *struct {
		Behavior *autoscalingv2.HorizontalPodAutoscalerBehavior `json:"behavior,omitempty"`
		Name     string                                         `json:"name,omitempty"`
	} `json:"horizontalPodAutoscalerConfig,omitempty"`
	RestoreToOriginalReplicaCount bool `json:"restoreToOriginalReplicaCount,omitempty"`
	ScalingModifiers              *struct {
		Formula          string                         `json:"formula,omitempty"`
		Target           string                         `json:"target,omitempty"`
		ActivationTarget string                         `json:"activationTarget,omitempty"`
		MetricType       autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
	} `json:"scalingModifiers,omitempty"`
}

type scaleTrigger struct {
	Type              string            `json:"type"`
	Name              string            `json:"name,omitempty"`
	UseCachedMetrics  bool              `json:"useCachedMetrics,omitempty"`
	Metadata          map[string]string `json:"metadata"`
	AuthenticationRef *struct {
		Name string `json:"name"`
		Kind string `json:"kind,omitempty"`
	} `json:"authenticationRef,omitempty"`
	MetricType autoscalingv2.MetricTargetType `json:"metricType,omitempty"`
}

// prometheusScalerMetadata are the metadata keys of KEDA's prometheus
// scaler: a misspelt one (treshold) would be ignored by KEDA.
var prometheusScalerMetadata = []string{"serverAddress", "query", "queryParameters", "threshold",
	"activationThreshold", "namespace", "customHeaders", "ignoreNullValues", "unsafeSsl", "authModes", "timeout"}

// kustomization mirrors the fields of kustomize's Kustomization
// (kustomize.config.k8s.io/v1beta1, sigs.k8s.io/kustomize/api/types) this
// recipe uses or a user may add, strictly.
type kustomization struct {
	APIVersion         string   `json:"apiVersion"`
	Kind               string   `json:"kind"`
	Namespace          string   `json:"namespace,omitempty"`
	NamePrefix         string   `json:"namePrefix,omitempty"`
	Resources          []string `json:"resources"`
	ConfigMapGenerator []struct {
		Name     string   `json:"name"`
		Files    []string `json:"files,omitempty"`
		Literals []string `json:"literals,omitempty"`
	} `json:"configMapGenerator"`
	Images []kustomizeImage `json:"images,omitempty"`
}

type kustomizeImage struct {
	Name    string `json:"name"`
	NewName string `json:"newName,omitempty"`
	NewTag  string `json:"newTag,omitempty"`
	Digest  string `json:"digest,omitempty"`
}

// recipe is every object of the directory, decoded strictly.
type recipe struct {
	sts      *appsv1.StatefulSet
	services []*corev1.Service
	pdb      *policyv1.PodDisruptionBudget
	monitor  *monitoringv1.ServiceMonitor
	scaler   *scaledObject
	kust     kustomization
	files    []string // the manifests' file names
	config   []byte   // karafka.yaml
}

// decodeStrict decodes one YAML document into v as the API server's
// strict field validation does: field names match case-sensitively (the
// plain encoding/json would take clusterIp for clusterIP), and unknown or
// duplicate fields are errors.
func decodeStrict(t *testing.T, file string, doc []byte, v any) {
	t.Helper()
	j, err := yaml.YAMLToJSONStrict(doc)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	strict, err := kjson.UnmarshalStrict(j, v)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	for _, e := range strict {
		t.Errorf("%s: %v", file, e)
	}
	if len(strict) > 0 {
		t.FailNow()
	}
}

// documents splits a file's YAML documents, skipping empty ones.
func documents(b []byte) [][]byte {
	var out [][]byte
	for _, d := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(b), -1) {
		if strings.TrimSpace(regexp.MustCompile(`(?m)^\s*#.*$`).ReplaceAllString(d, "")) != "" {
			out = append(out, []byte(d))
		}
	}
	return out
}

func readRecipe(t *testing.T) recipe {
	t.Helper()
	var r recipe
	var err error
	if r.config, err = os.ReadFile(configFile); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(kustomizationFile)
	if err != nil {
		t.Fatal(err)
	}
	decodeStrict(t, kustomizationFile, b, &r.kust)
	if r.kust.APIVersion != "kustomize.config.k8s.io/v1beta1" || r.kust.Kind != "Kustomization" {
		t.Fatalf("%s: %s %s, want kustomize.config.k8s.io/v1beta1 Kustomization", kustomizationFile, r.kust.APIVersion, r.kust.Kind)
	}

	files, err := filepath.Glob("*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f == configFile || f == kustomizationFile {
			continue
		}
		r.files = append(r.files, f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range documents(b) {
			var tm metav1.TypeMeta
			if err := yaml.Unmarshal(doc, &tm); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			switch gvk := tm.APIVersion + " " + tm.Kind; gvk {
			case "apps/v1 StatefulSet":
				if r.sts != nil {
					t.Fatalf("%s: a second StatefulSet", f)
				}
				r.sts = &appsv1.StatefulSet{}
				decodeStrict(t, f, doc, r.sts)
			case "v1 Service":
				s := &corev1.Service{}
				decodeStrict(t, f, doc, s)
				r.services = append(r.services, s)
			case "policy/v1 PodDisruptionBudget":
				r.pdb = &policyv1.PodDisruptionBudget{}
				decodeStrict(t, f, doc, r.pdb)
			case "monitoring.coreos.com/v1 ServiceMonitor":
				r.monitor = &monitoringv1.ServiceMonitor{}
				decodeStrict(t, f, doc, r.monitor)
			case "keda.sh/v1alpha1 ScaledObject":
				r.scaler = &scaledObject{}
				decodeStrict(t, f, doc, r.scaler)
			case "v1 Secret":
				t.Fatalf("%s: a Secret in the recipe; secrets are created apart (kubectl create secret), never committed", f)
			default:
				t.Fatalf("%s: %q: not a kind of this recipe (add it to the test)", f, gvk)
			}
		}
	}
	switch {
	case r.sts == nil:
		t.Fatal("no StatefulSet")
	case r.pdb == nil:
		t.Fatal("no PodDisruptionBudget")
	case r.monitor == nil:
		t.Fatal("no ServiceMonitor")
	case r.scaler == nil:
		t.Fatal("no ScaledObject")
	}
	return r
}

// container is the StatefulSet's only container.
func (r recipe) container(t *testing.T) corev1.Container {
	t.Helper()
	cs := r.sts.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("StatefulSet %s: %d containers, want 1", r.sts.Name, len(cs))
	}
	return cs[0]
}

// containerPort resolves a port by name or number to the container's port
// number; 0 if it has none such.
func containerPort(c corev1.Container, p intstr.IntOrString) int32 {
	for _, cp := range c.Ports {
		if (p.Type == intstr.String && cp.Name == p.StrVal) || (p.Type == intstr.Int && cp.ContainerPort == p.IntVal) {
			return cp.ContainerPort
		}
	}
	return 0
}

// mountOf returns the volume mount holding file and the volume it mounts.
func (r recipe) mountOf(t *testing.T, c corev1.Container, file string) (corev1.VolumeMount, corev1.Volume, string) {
	t.Helper()
	for _, m := range c.VolumeMounts {
		rel, ok := strings.CutPrefix(file, strings.TrimSuffix(m.MountPath, "/")+"/")
		if !ok {
			continue
		}
		for _, v := range r.sts.Spec.Template.Spec.Volumes {
			if v.Name == m.Name {
				return m, v, rel
			}
		}
		t.Fatalf("volume mount %s: no volume of that name", m.Name)
	}
	t.Fatalf("%s: in no volume mount of container %s", file, c.Name)
	return corev1.VolumeMount{}, corev1.Volume{}, ""
}

// configPath is the file the container's --config names.
func configPath(t *testing.T, c corev1.Container) string {
	t.Helper()
	args := append(slices.Clone(c.Command), c.Args...)
	for i, a := range args {
		if v, ok := strings.CutPrefix(a, "--config="); ok {
			return v
		}
		if (a == "--config" || a == "-c") && i+1 < len(args) {
			return args[i+1]
		}
	}
	t.Fatalf("container %s: no --config in %q", c.Name, args)
	return ""
}

// configKeys flattens a config file's keys: kafka.tls.ca_file.
func configKeys(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", configFile, err)
	}
	out := map[string]any{}
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		for k, v := range m {
			if sub, ok := v.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			out[prefix+k] = v
		}
	}
	walk("", m)
	return out
}

// envName is a config key's variable: KARAFKA_ + the key in upper case,
// dots as underscores (docs/configuration.md).
func envName(key string) string {
	return cli.EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// secretKeys are the config keys that hold a secret.
func secretKeys() []string {
	var out []string
	for _, k := range cli.Keys() {
		if strings.Contains(k, "password") {
			out = append(out, k)
		}
	}
	return out
}

// podName is the name of the StatefulSet's first pod, which the test gives
// the downward API's metadata.name.
func (r recipe) podName() string { return r.sts.Name + "-0" }

// environment resolves the container's environment as the kubelet would:
// metadata.name is the first pod's name, a Secret's key a placeholder.
func (r recipe) environment(t *testing.T, c corev1.Container) []string {
	t.Helper()
	var env []string
	seen := map[string]bool{}
	for _, e := range c.Env {
		if seen[e.Name] {
			t.Errorf("env %s: set twice", e.Name)
		}
		seen[e.Name] = true
		switch {
		case e.ValueFrom == nil:
			env = append(env, e.Name+"="+e.Value)
		case e.ValueFrom.FieldRef != nil && e.ValueFrom.FieldRef.FieldPath == "metadata.name":
			env = append(env, e.Name+"="+r.podName())
		case e.ValueFrom.SecretKeyRef != nil:
			env = append(env, e.Name+"=secret-"+e.ValueFrom.SecretKeyRef.Name+"-"+e.ValueFrom.SecretKeyRef.Key)
		default:
			t.Fatalf("env %s: a source the test does not resolve", e.Name)
		}
	}
	if len(c.EnvFrom) > 0 {
		t.Errorf("container %s: envFrom hides which variables it sets; name each", c.Name)
	}
	return env
}

// pemFiles writes a self-signed certificate and its key, for the TLS files
// karafka.yaml names in the Secret's mount.
func pemFiles(t *testing.T) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "karafka-app test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
}

// loadConfig loads the mounted karafka.yaml and the container's environment
// with cli.Load, as `server --config` does: unknown keys, near misses of a
// key's variable and invalid values fail. The TLS files it names, which
// must come from a mounted Secret, are made in a temporary directory.
func (r recipe) loadConfig(t *testing.T, c corev1.Container) cli.Settings {
	t.Helper()
	content := string(r.config)
	dir := t.TempDir()
	cert, key := pemFiles(t)
	for k, v := range configKeys(t, r.config) {
		file, ok := v.(string)
		if !strings.HasSuffix(k, "_file") || !ok || file == "" {
			continue
		}
		_, vol, rel := r.mountOf(t, c, file)
		if vol.Secret == nil {
			t.Errorf("%s: %s is in volume %s, not a Secret's", k, file, vol.Name)
			continue
		}
		for _, it := range vol.Secret.Items {
			if it.Path == rel {
				rel = it.Key
			}
		}
		local := filepath.Join(dir, filepath.FromSlash(file))
		if err := os.MkdirAll(filepath.Dir(local), 0o700); err != nil {
			t.Fatal(err)
		}
		body := cert
		if strings.HasSuffix(k, "key_file") {
			body = key
		}
		if err := os.WriteFile(local, body, 0o600); err != nil {
			t.Fatal(err)
		}
		content = strings.ReplaceAll(content, file, local)
		t.Logf("%s: %s, key %s of Secret %s", k, file, rel, vol.Secret.SecretName)
	}
	cfg := filepath.Join(dir, configFile)
	if err := os.WriteFile(cfg, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := cli.Load("", cli.Sources{File: cfg, Env: r.environment(t, c)})
	if err != nil {
		t.Fatalf("%s with the container's environment: %v", configFile, err)
	}
	return s
}

// handler is the ops handler the server serves on http.addr, of an App
// made from s.
func handler(t *testing.T, s cli.Settings) *ops.Handler {
	t.Helper()
	app, err := karafka.New(s.AppConfig(), karafka.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	h := ops.New(app)
	t.Cleanup(h.Close)
	return h
}

// serves reports whether h answers GET path with an endpoint of its own
// (anything but 404: /readyz answers 503 for an App that is not running).
func serves(h http.Handler, p string) (int, bool) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
	_, _ = io.Copy(io.Discard, rec.Body)
	return rec.Code, rec.Code != http.StatusNotFound
}

// registered reports whether reg has a metric named name: registering
// another collector of that name fails when one exists (its label names or
// help differ, or it is the same), and succeeds otherwise.
func registered(reg *prometheus.Registry, name string) bool {
	probe := prometheus.NewGauge(prometheus.GaugeOpts{Name: name, Help: "the test's probe for " + name})
	if err := reg.Register(probe); err != nil {
		return true
	}
	reg.Unregister(probe)
	return false
}

func TestManifests(t *testing.T) {
	r := readRecipe(t)
	c := r.container(t)
	pod := r.sts.Spec.Template
	s := r.loadConfig(t, c)
	h := handler(t, s)

	t.Run("kustomization lists every manifest and makes the ConfigMap of karafka.yaml", func(t *testing.T) {
		if !slices.Equal(slices.Sorted(slices.Values(r.kust.Resources)), r.files) {
			t.Errorf("%s resources %q; the manifests of the directory are %q", kustomizationFile, r.kust.Resources, r.files)
		}
		if !slices.ContainsFunc(r.kust.Images, func(i kustomizeImage) bool { return i.Name == c.Image }) {
			t.Errorf("%s: no images entry for the container's image %q", kustomizationFile, c.Image)
		}
		cfg := configPath(t, c)
		_, vol, rel := r.mountOf(t, c, cfg)
		if vol.ConfigMap == nil {
			t.Fatalf("--config %s: volume %s is not a ConfigMap", cfg, vol.Name)
		}
		for _, it := range vol.ConfigMap.Items {
			if it.Path == rel {
				rel = it.Key
			}
		}
		found := false
		for _, g := range r.kust.ConfigMapGenerator {
			if g.Name != vol.ConfigMap.Name {
				continue
			}
			for _, f := range g.Files {
				k, file, ok := strings.Cut(f, "=")
				if !ok {
					k, file = path.Base(f), f
				}
				found = found || (k == rel && file == configFile)
			}
			for _, l := range g.Literals {
				t.Errorf("configMapGenerator %s: literal %q; configuration goes in %s", g.Name, l, configFile)
			}
		}
		if !found {
			t.Errorf("--config %s: ConfigMap %s key %s is not made of %s by %s", cfg, vol.ConfigMap.Name, rel, configFile, kustomizationFile)
		}
		if !strings.HasSuffix(cfg, ".yaml") {
			t.Errorf("--config %s: the server reads a file's format by its extension", cfg)
		}
	})

	t.Run("every KARAFKA_ variable is a config key's", func(t *testing.T) {
		keyOf := map[string]string{"KARAFKA_CONFIG": "(the config file)"}
		for _, k := range cli.Keys() {
			keyOf[envName(k)] = k
		}
		for _, e := range c.Env {
			if !strings.HasPrefix(e.Name, cli.EnvPrefix) {
				continue
			}
			if _, ok := keyOf[e.Name]; !ok {
				t.Errorf("env %s: no config key has this variable (cli.Keys)", e.Name)
			}
		}
	})

	t.Run("static membership: the pod's name is consumer.instance_id", func(t *testing.T) {
		if s.Consumer.InstanceID != r.podName() {
			t.Errorf("consumer.instance_id %q in pod %s; want the pod's name from the downward API (env %s, fieldRef metadata.name)",
				s.Consumer.InstanceID, r.podName(), envName("consumer.instance_id"))
		}
		if _, ok := configKeys(t, r.config)["consumer.instance_id"]; ok {
			t.Errorf("%s sets consumer.instance_id: every pod would share it", configFile)
		}
		if r.sts.Spec.ServiceName == "" {
			t.Error("StatefulSet without serviceName")
		}
	})

	t.Run("probes and ports are what the server serves on http.addr", func(t *testing.T) {
		host, port, err := net.SplitHostPort(s.HTTP.Addr)
		if err != nil {
			t.Fatalf("http.addr %q: %v", s.HTTP.Addr, err)
		}
		if ip := net.ParseIP(host); ip == nil || !ip.IsUnspecified() {
			t.Errorf("http.addr %q: the kubelet and Prometheus reach the pod on its IP; listen on 0.0.0.0", s.HTTP.Addr)
		}
		want, _ := strconv.Atoi(port)
		for _, p := range []struct {
			name, path string
			probe      *corev1.Probe
		}{{"liveness", "/healthz", c.LivenessProbe}, {"readiness", "/readyz", c.ReadinessProbe}} {
			if p.probe == nil || p.probe.HTTPGet == nil {
				t.Errorf("%s probe: none, or not httpGet", p.name)
				continue
			}
			g := p.probe.HTTPGet
			if g.Path != p.path {
				t.Errorf("%s probe: path %q, want %s", p.name, g.Path, p.path)
			}
			if code, ok := serves(h, g.Path); !ok {
				t.Errorf("%s probe: the server answers GET %s with %d", p.name, g.Path, code)
			}
			if got := containerPort(c, g.Port); int(got) != want {
				t.Errorf("%s probe: port %s is container port %d; http.addr is %s", p.name, g.Port.String(), got, s.HTTP.Addr)
			}
		}
		ann := pod.Annotations
		if ann["prometheus.io/port"] != port {
			t.Errorf("pod annotation prometheus.io/port %q; http.addr is %s", ann["prometheus.io/port"], s.HTTP.Addr)
		}
		if code, ok := serves(h, ann["prometheus.io/path"]); !ok || ann["prometheus.io/path"] != "/metrics" {
			t.Errorf("pod annotation prometheus.io/path %q: the server answers %d", ann["prometheus.io/path"], code)
		}
	})

	t.Run("the grace period exceeds shutdown_timeout and the server's bounds after it", func(t *testing.T) {
		g := pod.Spec.TerminationGracePeriodSeconds
		if g == nil {
			t.Fatal("no terminationGracePeriodSeconds: the default 30 s")
		}
		grace := time.Duration(*g) * time.Second
		if need := s.ShutdownTimeout + serverBoundsAfterShutdownTimeout; grace <= need {
			t.Errorf("terminationGracePeriodSeconds %v; shutdown_timeout %v + %v the server may take after it = %v: the kubelet would SIGKILL a draining server",
				grace, s.ShutdownTimeout, serverBoundsAfterShutdownTimeout, need)
		}
	})

	t.Run("secrets come from Secrets, never from arguments or the ConfigMap", func(t *testing.T) {
		keys := configKeys(t, r.config)
		secrets := secretKeys()
		if len(secrets) < 2 {
			t.Fatalf("secret keys %q: expected kafka.sasl.password and schema_registry.password at least", secrets)
		}
		args := strings.ToLower(strings.Join(append(slices.Clone(c.Command), c.Args...), " "))
		if strings.Contains(args, "password") || strings.Contains(args, "--set") {
			t.Errorf("container %s arguments %q: configuration goes in %s or the environment, secrets in Secrets", c.Name, args, configFile)
		}
		for _, k := range secrets {
			if _, ok := keys[k]; ok {
				t.Errorf("%s sets %s: it becomes a ConfigMap; take it from a Secret as %s", configFile, k, envName(k))
			}
			for _, e := range c.Env {
				if e.Name == envName(k) && (e.ValueFrom == nil || e.ValueFrom.SecretKeyRef == nil) {
					t.Errorf("env %s: not from a Secret (valueFrom.secretKeyRef)", e.Name)
				}
			}
		}
		if s.Kafka.SASL.Mechanism != "" && !slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == envName("kafka.sasl.password") }) {
			t.Errorf("kafka.sasl.mechanism %s without %s", s.Kafka.SASL.Mechanism, envName("kafka.sasl.password"))
		}
		if s.SchemaRegistry.Username != "" && s.SchemaRegistry.Password == "" {
			t.Errorf("schema_registry.username without %s", envName("schema_registry.password"))
		}
		if bytes.Contains(bytes.ToLower(r.config), []byte("password:")) {
			t.Errorf("%s holds a password line", configFile)
		}
	})

	t.Run("the pod runs unprivileged on a read-only root", func(t *testing.T) {
		psc, sc := pod.Spec.SecurityContext, c.SecurityContext
		if sc == nil {
			t.Fatal("container without securityContext")
		}
		if (psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot) && (sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot) {
			t.Error("runAsNonRoot is not true")
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Error("readOnlyRootFilesystem is not true")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Error("allowPrivilegeEscalation is not false")
		}
		if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") || len(sc.Capabilities.Add) > 0 {
			t.Error("capabilities: drop ALL, add none")
		}
		if pod.Spec.EnableServiceLinks == nil || *pod.Spec.EnableServiceLinks {
			t.Error("enableServiceLinks is not false: Service variables such as KARAFKA_KAFKA_SERVICE_HOST would be taken for config typos")
		}
	})

	t.Run("resources hold the benchmarks' peak RSS", func(t *testing.T) {
		req, lim := c.Resources.Requests, c.Resources.Limits
		if req.Cpu().IsZero() {
			t.Error("no CPU request")
		}
		if mem := req.Memory(); mem.Cmp(peakRSS) < 0 {
			t.Errorf("memory request %s below the benchmarks' peak RSS %s", mem, &peakRSS)
		}
		if m, ok := lim[corev1.ResourceMemory]; ok && m.Cmp(*req.Memory()) < 0 {
			t.Errorf("memory limit %s below the request %s", &m, req.Memory())
		}
	})

	podLabels := labels.Set(pod.Labels)
	selects := func(t *testing.T, what string, sel *metav1.LabelSelector) {
		t.Helper()
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || s.Empty() || !s.Matches(podLabels) {
			t.Errorf("%s: selector %v does not select the pods (%v; %v)", what, sel, podLabels, err)
		}
	}

	t.Run("Services, budget and monitor select the pods and their port", func(t *testing.T) {
		selects(t, "StatefulSet", r.sts.Spec.Selector)
		selects(t, "PodDisruptionBudget", r.pdb.Spec.Selector)
		if r.pdb.Spec.MaxUnavailable == nil && r.pdb.Spec.MinAvailable == nil {
			t.Error("PodDisruptionBudget without maxUnavailable or minAvailable")
		}
		headless := false
		for _, svc := range r.services {
			if len(svc.Spec.Selector) == 0 || !labels.SelectorFromSet(svc.Spec.Selector).Matches(podLabels) {
				t.Errorf("Service %s: selector %v does not select the pods", svc.Name, svc.Spec.Selector)
			}
			if svc.Name == r.sts.Spec.ServiceName && svc.Spec.ClusterIP == corev1.ClusterIPNone {
				headless = true
			}
			for _, p := range svc.Spec.Ports {
				if got := containerPort(c, p.TargetPort); got == 0 {
					t.Errorf("Service %s port %s: targetPort %s is no container port", svc.Name, p.Name, p.TargetPort.String())
				}
			}
		}
		if !headless {
			t.Errorf("no headless Service (clusterIP None) named %s, the StatefulSet's serviceName", r.sts.Spec.ServiceName)
		}

	})

	t.Run("the ServiceMonitor scrapes /metrics of the metrics Service", func(t *testing.T) {
		metrics := r.monitored(t)
		_, port, _ := net.SplitHostPort(s.HTTP.Addr)
		if len(r.monitor.Spec.Endpoints) == 0 {
			t.Fatal("ServiceMonitor without endpoints")
		}
		for _, ep := range r.monitor.Spec.Endpoints {
			i := slices.IndexFunc(metrics.Spec.Ports, func(p corev1.ServicePort) bool { return p.Name == ep.Port })
			if i < 0 {
				t.Errorf("ServiceMonitor endpoint port %q: Service %s has no such port", ep.Port, metrics.Name)
				continue
			}
			if got := containerPort(c, metrics.Spec.Ports[i].TargetPort); strconv.Itoa(int(got)) != port {
				t.Errorf("ServiceMonitor endpoint port %q is container port %d; http.addr is %s", ep.Port, got, s.HTTP.Addr)
			}
			if code, ok := serves(h, ep.Path); !ok || ep.Path != "/metrics" {
				t.Errorf("ServiceMonitor endpoint path %q: the server answers %d", ep.Path, code)
			}
		}
	})

	t.Run("KEDA scales on karafka_consumer_lag, never past the partitions", func(t *testing.T) {
		r.checkScaler(t, s, h, r.monitored(t))
	})
}

// monitored is the Service the ServiceMonitor selects, which must be one.
func (r recipe) monitored(t *testing.T) *corev1.Service {
	t.Helper()
	sel, err := metav1.LabelSelectorAsSelector(&r.monitor.Spec.Selector)
	if err != nil {
		t.Fatal(err)
	}
	var monitored []*corev1.Service
	for _, svc := range r.services {
		if !sel.Empty() && sel.Matches(labels.Set(svc.Labels)) {
			monitored = append(monitored, svc)
		}
	}
	if len(monitored) != 1 {
		t.Fatalf("ServiceMonitor selects %d Services, want the metrics one", len(monitored))
	}
	return monitored[0]
}

// metricName matches the karafka metrics a PromQL query names.
var metricName = regexp.MustCompile(`\bkarafka_[a-zA-Z0-9_]*`)

func (r recipe) checkScaler(t *testing.T, s cli.Settings, h *ops.Handler, metrics *corev1.Service) {
	t.Helper()
	so := r.scaler
	ref := so.Spec.ScaleTargetRef
	if ref == nil || ref.APIVersion != "apps/v1" || ref.Kind != "StatefulSet" || ref.Name != r.sts.Name {
		t.Errorf("ScaledObject scaleTargetRef %+v, want apps/v1 StatefulSet %s", ref, r.sts.Name)
	}

	const partitionsAnnotation = "karafka-actors/partitions"
	partitions, err := strconv.Atoi(so.Annotations[partitionsAnnotation])
	if err != nil || partitions < 1 {
		t.Fatalf("ScaledObject annotation %s %q: the partition count of the topic it scales on", partitionsAnnotation, so.Annotations[partitionsAnnotation])
	}
	if partitions != s.Topics.Partitions {
		t.Errorf("ScaledObject annotation %s %d; kafka.topic_partitions in %s is %d", partitionsAnnotation, partitions, configFile, s.Topics.Partitions)
	}
	if so.Spec.MinReplicaCount == nil || so.Spec.MaxReplicaCount == nil {
		t.Fatal("ScaledObject without minReplicaCount or maxReplicaCount (KEDA's default maximum is 100)")
	}
	lo, hi := *so.Spec.MinReplicaCount, *so.Spec.MaxReplicaCount
	if int(hi) > partitions {
		t.Errorf("ScaledObject maxReplicaCount %d exceeds the %d partitions: the extra consumers would hold none", hi, partitions)
	}
	if lo < 1 || lo > hi {
		t.Errorf("ScaledObject minReplicaCount %d, maxReplicaCount %d", lo, hi)
	}
	if n := r.sts.Spec.Replicas; n == nil || *n < lo || *n > hi {
		t.Errorf("StatefulSet replicas %v outside the ScaledObject's %d-%d", n, lo, hi)
	}

	if len(so.Spec.Triggers) == 0 {
		t.Fatal("ScaledObject without triggers")
	}
	reg := h.Registry()
	if registered(reg, "karafka_no_such_metric") {
		t.Fatal("registered() finds a metric that does not exist: the check is broken")
	}
	for _, tr := range so.Spec.Triggers {
		if tr.Type != "prometheus" {
			t.Errorf("trigger %q: type %q, want prometheus", tr.Name, tr.Type)
			continue
		}
		for k := range tr.Metadata {
			if !slices.Contains(prometheusScalerMetadata, k) {
				t.Errorf("trigger %q: metadata %q is no prometheus scaler parameter (%v)", tr.Name, k, prometheusScalerMetadata)
			}
		}
		for _, k := range []string{"serverAddress", "query", "threshold"} {
			if tr.Metadata[k] == "" {
				t.Errorf("trigger %q: no %s", tr.Name, k)
			}
		}
		q := tr.Metadata["query"]
		names := metricName.FindAllString(q, -1)
		if !slices.Contains(names, "karafka_consumer_lag") {
			t.Errorf("trigger %q: query %q does not read karafka_consumer_lag", tr.Name, q)
		}
		for _, n := range names {
			if !registered(reg, n) {
				t.Errorf("trigger %q: query reads %s, which the server does not export (package ops)", tr.Name, n)
			}
		}
		for _, m := range regexp.MustCompile(`\bservice="([^"]*)"`).FindAllStringSubmatch(q, -1) {
			if m[1] != metrics.Name {
				t.Errorf("trigger %q: query selects service=%q; the ServiceMonitor's Service is %s", tr.Name, m[1], metrics.Name)
			}
		}
	}
}
