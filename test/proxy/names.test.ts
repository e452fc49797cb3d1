// Chain names and probabilities against the worked values of the reference and of
// kubernetes' own tests.
import test from 'ava';
import { base32Prefix, endpointHash, portProtoHash, sepChain, servicePortName, svcChain } from '../../src/proxy/names.js';
import { savedProbability, toFixedExact, writtenProbability } from '../../src/proxy/probability.js';

test('KUBE-SVC hashes: base32(sha256(servicePortName + protocol))[:16]', (t) => {
  // 1.11 (trailing colon on an unnamed port), the classic db-service.
  t.is(svcChain(servicePortName('default', 'db-service', '', true), 'TCP'), 'KUBE-SVC-TCHUXVZWN7RJIZ2A');
  t.is(portProtoHash('default/kubernetes:', 'tcp'), '6N4SJQIF3IX3FORG');
  t.is(portProtoHash('default/kubernetes:https', 'tcp'), 'NPX46M4PTMTKRN6Y');
  t.is(portProtoHash('ns1/svc1:p80', 'tcp'), 'XPGD46QRK7WJZT7O');
  t.is(portProtoHash('default/nginx-svc', 'tcp'), 'HL5LMXD5JFHQZ6LN');
  // 1.28: no colon on an unnamed port.
  t.is(svcChain(servicePortName('ns1', 'svc1', '', false), 'tcp'), 'KUBE-SVC-AQI2S6QIMU7PVVRP');
});

test('KUBE-SEP hashes add the endpoint as ip:port', (t) => {
  t.is(endpointHash('ns1/svc1:p80', 'tcp', '10.180.0.1:80'), 'SXIVWICOYRO3J4NJ');
  t.is(sepChain('default/db-service:', 'tcp', '10.244.1.2', 3306), 'KUBE-SEP-RP4MPCU22ZSSTUCP');
  t.is(sepChain('ns1/svc1', 'tcp', '10.0.1.1', 80), 'KUBE-SEP-3JOIVZTXZZRGORX4');
});

test('the protocol is lower-cased before hashing', (t) => {
  t.is(portProtoHash('default/kubernetes:https', 'TCP'), portProtoHash('default/kubernetes:https', 'tcp'));
  t.not(portProtoHash('ns/dns:dns', 'udp'), portProtoHash('ns/dns:dns', 'tcp'));
});

test('the service port name keeps its colon up to 1.18 only', (t) => {
  t.is(servicePortName('default', 'db-service', '', true), 'default/db-service:');
  t.is(servicePortName('default', 'db-service', '', false), 'default/db-service');
  t.is(servicePortName('ns1', 'svc1', 'p80', false), 'ns1/svc1:p80');
});

test('base32 is RFC 4648 (Go StdEncoding)', (t) => {
  t.is(base32Prefix(new TextEncoder().encode('foobar'), 10), 'MZXW6YTBOI');
});

test('probabilities as kube-proxy writes them: %0.5f before 1.17, %0.10f after', (t) => {
  t.is(writtenProbability(3, 5), '0.33333');
  t.is(writtenProbability(2, 5), '0.50000');
  t.is(writtenProbability(3, 10), '0.3333333333');
  t.is(writtenProbability(7, 10), '0.1428571429');
  // Go rounds the exact binary value half to even: 1/64 = 0.015625 exactly.
  t.is(writtenProbability(64, 5), '0.01562');
  t.is(toFixedExact(0.125, 2), '0.12');
  t.is(toFixedExact(1 / 320, 5), '0.00313');
});

test('probabilities as iptables-save prints them: the kernel keeps count/2^31, shown with 11 digits', (t) => {
  t.is(savedProbability('0.33333'), '0.33332999982');
  t.is(savedProbability('0.3333333333'), '0.33333333349');
  t.is(savedProbability('0.5000000000'), '0.50000000000');
  t.is(savedProbability('0.50000'), '0.50000000000');
  t.is(savedProbability('0.1428571429'), '0.14285714272');
  t.is(savedProbability('0.0100000000'), '0.00999999978');
});
