package interop_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/IBM/sarama"

	karafka "github.com/karafka-actors/karafka-actors"
	"github.com/karafka-actors/karafka-actors/client"
	"github.com/karafka-actors/karafka-actors/controllers"
	"github.com/karafka-actors/karafka-actors/internal/testkafka"
	"github.com/karafka-actors/karafka-actors/kafka"
	"github.com/karafka-actors/karafka-actors/producer"
	"github.com/karafka-actors/karafka-actors/responders"
	"github.com/karafka-actors/karafka-actors/topicsync"
	"github.com/karafka-actors/karafka-actors/topology"
)

// saslConfig is a kafka.Config for the real broker's SASL_SSL listener
// (scripts/kafka.sh sasl-env), with mechanism. It skips t on the embedded
// broker (the kafka package tests the client side against kfake), and when
// a real broker is under test without a SASL_SSL listener (a failure under
// KARAFKA_REQUIRE_REAL_KAFKA=1).
func saslConfig(t *testing.T, mechanism string) kafka.Config {
	t.Helper()
	if !testkafka.External() {
		t.Skip("KARAFKA_TEST_BROKERS not set: the SASL_SSL tests run against the real broker of scripts/kafka.sh")
	}
	brokers := os.Getenv("KARAFKA_TEST_SASL_BROKERS")
	if brokers == "" {
		missing(t, "KARAFKA_TEST_SASL_BROKERS not set (eval \"$(scripts/kafka.sh sasl-env)\" with the broker of scripts/kafka.sh running)")
	}
	c := kafka.DefaultConfig()
	c.Client = testkafka.Client()
	c.ClientID = "karafka-interop-sasl"
	c.Brokers = strings.Split(brokers, ",")
	c.DialTimeout = 5 * time.Second
	c.TLS = kafka.TLSConfig{Enabled: true, CAFile: os.Getenv("KARAFKA_TEST_SASL_CA_FILE")}
	c.SASL = kafka.SASLConfig{Mechanism: mechanism, Username: os.Getenv("KARAFKA_TEST_SASL_USER"), Password: os.Getenv("KARAFKA_TEST_SASL_PASSWORD")}
	return c
}

// TestSASLSSL_appRoundTrip runs an application over TLS with each SASL
// mechanism: topics created, an input produced, answered by a route and the
// answer read back, all through the authenticated listener.
func TestSASLSSL_appRoundTrip(t *testing.T) {
	for _, mechanism := range []string{"SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"} {
		t.Run(mechanism, func(t *testing.T) {
			kc := saslConfig(t, mechanism)
			in, out := testkafka.Name(t, "sasl_in"), testkafka.Name(t, "sasl_out")
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			if err := topicsync.EnsureTopics(ctx, kc, 1, in, out, in+"_dlq"); err != nil {
				t.Fatal(err)
			}
			cfg := karafka.DefaultConfig()
			cfg.Name = testkafka.Name(t, "sasl_app")
			cfg.Kafka = kc
			cfg.StartFromBeginning = true
			app, err := karafka.New(cfg, karafka.WithLogger(slog.New(slog.DiscardHandler)), karafka.WithRoutes(topology.Route{
				Topic: in,
				Controller: func() controllers.Controller {
					return controllers.Func(func(c *controllers.Context) error {
						name, _ := c.Params.String("name")
						c.RespondWith("hello " + name)
						return nil
					})
				},
				Responder: func() responders.Responder {
					return responders.Func([]responders.Topic{responders.Required(out)}, func(o *responders.Output, args ...any) error {
						o.RespondTo(out, map[string]any{"greeting": args[0], "mechanism": mechanism})
						return nil
					})
				},
			}))
			if err != nil {
				t.Fatal(err)
			}
			runErr := make(chan error, 1)
			go func() { runErr <- app.Run(ctx) }()
			defer func() {
				cancel()
				if err := <-runErr; err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("Run: %v", err)
				}
			}()

			pcfg := producer.DefaultConfig()
			pcfg.Kafka = kc
			p, err := producer.New(pcfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Send(ctx, &producer.Message{Topic: in, Value: []byte(`{"name":"ada"}`)}); err != nil {
				t.Fatalf("produce over %s: %v", mechanism, err)
			}
			_ = p.Close()

			sc, err := kc.Sarama()
			if err != nil {
				t.Fatal(err)
			}
			cons, err := sarama.NewConsumer(kc.Brokers, sc)
			if err != nil {
				t.Fatalf("consumer over %s: %v", mechanism, err)
			}
			defer cons.Close()
			pc, err := cons.ConsumePartition(out, 0, sarama.OffsetOldest)
			if err != nil {
				t.Fatal(err)
			}
			defer pc.Close()
			select {
			case m := <-pc.Messages():
				var got struct{ Greeting, Mechanism string }
				if err := json.Unmarshal(m.Value, &got); err != nil || got.Greeting != "hello ada" || got.Mechanism != mechanism {
					t.Fatalf("answer %s (%v), want hello ada by %s", m.Value, err, mechanism)
				}
			case <-ctx.Done():
				t.Fatalf("no answer on %s over %s", out, mechanism)
			}
		})
	}
}

// TestSASLSSL_wrongPassword: a bad password is a clear, immediate error
// (no retrying until the deadline), comparable with errors.Is.
func TestSASLSSL_wrongPassword(t *testing.T) {
	for _, mechanism := range []string{"SCRAM-SHA-512", "PLAIN"} {
		t.Run(mechanism, func(t *testing.T) {
			kc := saslConfig(t, mechanism)
			kc.SASL.Password = "not-the-password"
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			err := topicsync.EnsureTopics(ctx, kc, 1, testkafka.Name(t, "sasl_denied"))
			if !errors.Is(err, client.ErrSASLAuthenticationFailed) || !errors.Is(err, kafka.ErrTopicSetup) {
				t.Fatalf("EnsureTopics with a wrong password = %v, want ErrTopicSetup wrapping SASL_AUTHENTICATION_FAILED", err)
			}
			if ctx.Err() != nil {
				t.Fatalf("gave up only at the deadline (%s): an authentication failure must not be retried", time.Since(start))
			}
		})
	}
}

// TestSASLSSL_untrustedCA: a broker certificate from a CA the client does not
// trust fails the TLS handshake with an x509 error, not a hang.
func TestSASLSSL_untrustedCA(t *testing.T) {
	kc := saslConfig(t, "SCRAM-SHA-512")
	kc.TLS.CAFile = otherCA(t)
	sc, err := kc.Sarama()
	if err != nil {
		t.Fatal(err)
	}
	sc.Metadata.Retry.Max = 0
	_, err = sarama.NewClient(kc.Brokers, sc)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("NewClient with an untrusted CA = %v, want an x509.UnknownAuthorityError", err)
	}
}

// otherCA writes a fresh self-signed CA certificate (PEM) and returns its path.
func otherCA(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "not the broker's CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "other-ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
