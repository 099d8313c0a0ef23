package bus_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"go.uber.org/zap"

	"github.com/newsflow/newsflow/pkg/bus"
)

// TestConnectAuthenticates connects with each way a binary can be told to
// authenticate (NATS_USER/NATS_PASSWORD, NATS_NKEY, NATS_CREDS, and TLS
// with a client certificate) to a real server that requires it, and checks
// that the same server turns a client without it away.
func TestConnectAuthenticates(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		setup func(t *testing.T, opts *server.Options) (good, bad bus.ConnOptions)
	}{
		{name: "user and password", setup: func(t *testing.T, opts *server.Options) (bus.ConnOptions, bus.ConnOptions) {
			opts.Users = []*server.User{{Username: "fetcher", Password: "s3cret"}}
			return bus.ConnOptions{User: "fetcher", Password: "s3cret"}, bus.ConnOptions{User: "fetcher", Password: "wrong"}
		}},
		{name: "nkey seed file", setup: func(t *testing.T, opts *server.Options) (bus.ConnOptions, bus.ConnOptions) {
			user, seedFile := newNKey(t, dir, "user.nk", nkeys.CreateUser)
			_, otherFile := newNKey(t, dir, "other.nk", nkeys.CreateUser)
			opts.Nkeys = []*server.NkeyUser{{Nkey: publicKey(t, user)}}
			return bus.ConnOptions{NKey: seedFile}, bus.ConnOptions{NKey: otherFile}
		}},
		{name: "creds file (JWT)", setup: func(t *testing.T, opts *server.Options) (bus.ConnOptions, bus.ConnOptions) {
			good, bad := operatorMode(t, dir, opts)
			return bus.ConnOptions{Creds: good}, bus.ConnOptions{Creds: bad}
		}},
		{name: "TLS with a client certificate", setup: func(t *testing.T, opts *server.Options) (bus.ConnOptions, bus.ConnOptions) {
			ca, cert, key := mutualTLS(t, dir, opts)
			return bus.ConnOptions{TLSCA: ca, TLSCert: cert, TLSKey: key}, bus.ConnOptions{TLSCA: ca}
		}},
		{name: "TLS with an unknown CA", setup: func(t *testing.T, opts *server.Options) (bus.ConnOptions, bus.ConnOptions) {
			ca, cert, key := mutualTLS(t, dir, opts)
			otherCA, _, _ := mutualTLS(t, t.TempDir(), &server.Options{})
			return bus.ConnOptions{TLSCA: ca, TLSCert: cert, TLSKey: key}, bus.ConnOptions{TLSCA: otherCA, TLSCert: cert, TLSKey: key}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
			good, bad := tt.setup(t, opts)
			s, err := server.NewServer(opts)
			if err != nil {
				t.Fatal(err)
			}
			go s.Start()
			if !s.ReadyForConnections(10 * time.Second) {
				t.Fatal("server not ready")
			}
			t.Cleanup(s.Shutdown)
			url := s.ClientURL()
			if opts.TLSConfig != nil {
				url = "tls://" + s.Addr().String()
			}

			good.URL = url
			nc, _, err := bus.Connect(t.Context(), good, zap.NewNop())
			if err != nil {
				t.Fatalf("connect with the right credentials: %v", err)
			}
			if err := nc.Publish("x", []byte("y")); err != nil || nc.Flush() != nil {
				t.Errorf("publish on the authenticated connection: %v", err)
			}
			nc.Close()

			bad.URL = url
			ctx, cancel := context.WithTimeout(t.Context(), 3*time.Second)
			defer cancel()
			nc, _, err = bus.Connect(ctx, bad, zap.NewNop())
			if err == nil {
				nc.Close()
				t.Fatal("connected with the wrong credentials")
			}
			// Refused at once with the server's reason, not retried until
			// the deadline: retrying cannot fix credentials.
			if errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("wrong credentials retried until the deadline: %v", err)
			}
		})
	}
}

// newNKey creates a key pair and writes its seed to dir/name.
func newNKey(t *testing.T, dir, name string, create func() (nkeys.KeyPair, error)) (nkeys.KeyPair, string) {
	t.Helper()
	kp, err := create()
	if err != nil {
		t.Fatal(err)
	}
	seed, err := kp.Seed()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, seed, 0o600); err != nil {
		t.Fatal(err)
	}
	return kp, path
}

func publicKey(t *testing.T, kp nkeys.KeyPair) string {
	t.Helper()
	pub, err := kp.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return pub
}

// operatorMode sets opts up for decentralised JWT auth (an operator, one
// account in a memory resolver) and returns a creds file of a user of that
// account and one of a user signed by an unknown account.
func operatorMode(t *testing.T, dir string, opts *server.Options) (good, bad string) {
	t.Helper()
	operator, _ := newNKey(t, dir, "op.nk", nkeys.CreateOperator)
	opClaims := jwt.NewOperatorClaims(publicKey(t, operator))
	opJWT, err := opClaims.Encode(operator)
	if err != nil {
		t.Fatal(err)
	}
	oc, err := jwt.DecodeOperatorClaims(opJWT)
	if err != nil {
		t.Fatal(err)
	}
	account, _ := newNKey(t, dir, "acc.nk", nkeys.CreateAccount)
	accJWT, err := jwt.NewAccountClaims(publicKey(t, account)).Encode(operator)
	if err != nil {
		t.Fatal(err)
	}
	opts.TrustedOperators = []*jwt.OperatorClaims{oc}
	opts.AccountResolver = &server.MemAccResolver{}
	if err := opts.AccountResolver.Store(publicKey(t, account), accJWT); err != nil {
		t.Fatal(err)
	}
	stranger, _ := newNKey(t, dir, "stranger.nk", nkeys.CreateAccount)
	return userCreds(t, dir, "good.creds", account), userCreds(t, dir, "bad.creds", stranger)
}

func userCreds(t *testing.T, dir, name string, account nkeys.KeyPair) string {
	t.Helper()
	user, _ := newNKey(t, dir, name+".nk", nkeys.CreateUser)
	uc := jwt.NewUserClaims(publicKey(t, user))
	uc.IssuerAccount = publicKey(t, account)
	userJWT, err := uc.Encode(account)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := user.Seed()
	creds, err := jwt.FormatUserConfig(userJWT, seed)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// mutualTLS makes a CA, a server certificate for 127.0.0.1 and a client
// certificate, configures opts to require a client certificate, and
// returns the paths of the CA, client certificate and client key.
func mutualTLS(t *testing.T, dir string, opts *server.Options) (caPath, certPath, keyPath string) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "newsflow test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64, usage x509.ExtKeyUsage) (tls.Certificate, []byte, []byte) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "newsflow"},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage},
			IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, &key.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		keyDER, _ := x509.MarshalECPrivateKey(key)
		certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
		keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			t.Fatal(err)
		}
		return pair, certPEM, keyPEM
	}
	serverPair, _, _ := issue(2, x509.ExtKeyUsageServerAuth)
	_, clientCert, clientKey := issue(3, x509.ExtKeyUsageClientAuth)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	opts.TLSConfig = &tls.Config{Certificates: []tls.Certificate{serverPair}, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}
	opts.TLSVerify = true
	opts.TLSTimeout = 2

	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	return write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})),
		write("client.pem", clientCert), write("client-key.pem", clientKey)
}
