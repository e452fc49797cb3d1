# Which flags each binary accepts, per dialect and release: what labsmith renders plus the real
# flags of that era that could be confirmed. A flag outside the table is refused, so a typo
# in a template fails in the emulated lab as it would on a real host.
#
# Sources: the legacy tables follow the binaries of the classic lab's era (about v0.8-v0.13,
# late 2014 - spring 2015: pflag with underscored names; cmd/apiserver's flag block with
# --portal_net, the man pages of October 2014 for kubelet, proxy, scheduler and
# controller-manager). The modern tables follow the 1.x reference pages; where a flag came or
# went, (since, until) says so in minor releases, `until` exclusive:
#   insecure serving (--address/--port/--insecure-*) of kube-apiserver: removed in 1.24 (#106859)
#   klog's own flags (--logtostderr, --log-dir, ...): removed in 1.26 (#112120); -v, --vmodule
#     and --log-flush-frequency stay
#   dockershim's kubelet flags (--docker-endpoint, --network-plugin, --cni-*): removed in 1.24
#   kubelet --container-runtime: removed in 1.27; --cadvisor-port: 1.12; --api-servers: 1.8
from .flags import BOOL, CIDR, DURATION, FLOAT, INT, IP, LIST, MAP, OPT, STRING

# ---------------------------------------------------------------- legacy (2014-15, underscores)
_GLOG = {
    'logtostderr': BOOL, 'alsologtostderr': BOOL, 'log_dir': STRING, 'log_backtrace_at': STRING,
    'log_flush_frequency': DURATION, 'stderrthreshold': STRING, 'v': INT, 'vmodule': STRING,
    'version': BOOL, 'help': BOOL,
}

LEGACY = {
    'kube-apiserver': {
        'address': IP, 'port': INT, 'public_address_override': STRING, 'read_only_port': INT,
        'api_rate': FLOAT, 'api_burst': INT, 'secure_port': INT, 'tls_cert_file': STRING,
        'tls_private_key_file': STRING, 'api_prefix': STRING, 'storage_version': STRING,
        'cloud_provider': STRING, 'cloud_config': STRING, 'health_check_minions': BOOL,
        'event_ttl': DURATION, 'token_auth_file': STRING, 'authorization_mode': STRING,
        'authorization_policy_file': STRING, 'admission_control': STRING,
        'admission_control_config_file': STRING, 'etcd_servers': LIST, 'etcd_config': STRING,
        'cors_allowed_origins': LIST, 'allow_privileged': BOOL, 'portal_net': CIDR,
        'enable_logs_support': BOOL, 'runtime_config': MAP, 'master_service_namespace': STRING,
        'kubelet_port': INT, 'kubelet_https': BOOL, 'kubelet_timeout': DURATION,
    },
    'kube-controller-manager': {
        'address': IP, 'port': INT, 'master': STRING, 'api_version': STRING,
        'insecure_skip_tls_verify': BOOL, 'cloud_provider': STRING, 'cloud_config': STRING,
        'minion_regexp': STRING, 'machines': LIST, 'pod_eviction_timeout': DURATION,
        'sync_nodes': BOOL, 'node_sync_period': DURATION, 'resource_quota_sync_period': DURATION,
        'allow_privileged': BOOL, 'node_milli_cpu': INT, 'node_memory': STRING,
    },
    'kube-scheduler': {
        'address': IP, 'port': INT, 'master': STRING, 'api_version': STRING,
        'insecure_skip_tls_verify': BOOL,
    },
    'kubelet': {
        'address': IP, 'port': INT, 'allow_privileged': BOOL, 'config': STRING,
        'docker_endpoint': STRING, 'enable_server': BOOL, 'etcd_servers': LIST,
        'etcd_config': STRING, 'api_servers': LIST, 'auth_path': STRING,
        'file_check_frequency': DURATION, 'http_check_frequency': DURATION,
        'hostname_override': STRING, 'manifest_url': STRING, 'network_container_image': STRING,
        'pod_infra_container_image': STRING, 'registry_burst': INT, 'registry_qps': FLOAT,
        'root_dir': STRING, 'sync_frequency': DURATION, 'enable_debugging_handlers': BOOL,
        'minimum_container_ttl_duration': DURATION, 'maximum_dead_containers_per_container': INT,
        'master_service_namespace': STRING, 'cadvisor_port': INT, 'healthz_port': INT,
        'healthz_bind_address': IP, 'oom_score_adj': INT, 'runonce': BOOL, 'cluster_dns': IP,
        'cluster_domain': STRING, 'streaming_connection_idle_timeout': DURATION,
        'image_gc_high_threshold': INT, 'image_gc_low_threshold': INT, 'network_plugin': STRING,
        'cloud_provider': STRING,
    },
    'kube-proxy': {
        'master': STRING, 'api_version': STRING, 'bindaddress': IP, 'etcd_servers': LIST,
        'etcd_config': STRING, 'insecure_skip_tls_verify': BOOL, 'healthz_port': INT,
        'oom_score_adj': INT, 'hostname_override': STRING,
    },
}

# ---------------------------------------------------------------- modern (1.x, dashes)
# name: kind, or (kind, since, until) with minor releases of 1.x.
_KLOG = {
    'v': INT, 'vmodule': STRING, 'log-flush-frequency': DURATION, 'version': OPT, 'help': BOOL,
    'logging-format': (STRING, 19, None),
    'logtostderr': (BOOL, None, 26), 'alsologtostderr': (BOOL, None, 26), 'log-dir': (STRING, None, 26),
    'log-file': (STRING, 12, 26), 'log-file-max-size': (INT, 14, 26), 'log-backtrace-at': (STRING, None, 26),
    'skip-headers': (BOOL, 12, 26), 'skip-log-headers': (BOOL, 14, 26), 'stderrthreshold': (STRING, None, 26),
    'add-dir-header': (BOOL, 17, 26), 'one-output': (BOOL, 20, 26),
}

_CLIENT = {'kubeconfig': STRING, 'master': STRING, 'kube-api-qps': FLOAT, 'kube-api-burst': INT,
           'kube-api-content-type': STRING, 'feature-gates': MAP, 'profiling': BOOL}

_LEADER = {'leader-elect': BOOL, 'leader-elect-lease-duration': DURATION, 'leader-elect-renew-deadline': DURATION,
           'leader-elect-retry-period': DURATION, 'leader-elect-resource-lock': STRING}

_SERVING = {'bind-address': IP, 'secure-port': INT, 'cert-dir': STRING, 'tls-cert-file': STRING,
            'tls-private-key-file': STRING, 'tls-cipher-suites': LIST, 'tls-min-version': STRING}

MODERN = {
    'kube-apiserver': dict(_SERVING, **{
        'advertise-address': IP, 'client-ca-file': STRING, 'tls-sni-cert-key': STRING,
        'etcd-servers': LIST, 'etcd-servers-overrides': LIST, 'etcd-prefix': STRING, 'etcd-cafile': STRING,
        'etcd-certfile': STRING, 'etcd-keyfile': STRING, 'storage-backend': STRING, 'storage-media-type': STRING,
        'service-cluster-ip-range': STRING, 'service-node-port-range': STRING, 'allow-privileged': BOOL,
        'authorization-mode': LIST, 'authorization-policy-file': STRING, 'authorization-webhook-config-file': STRING,
        'anonymous-auth': BOOL, 'token-auth-file': STRING, 'basic-auth-file': (STRING, None, 19),
        'enable-bootstrap-token-auth': (BOOL, 8, None), 'kubelet-client-certificate': STRING,
        'kubelet-client-key': STRING, 'kubelet-certificate-authority': STRING,
        'kubelet-preferred-address-types': LIST, 'kubelet-timeout': DURATION, 'kubelet-https': (BOOL, None, 22),
        'service-account-key-file': STRING, 'service-account-signing-key-file': (STRING, 10, None),
        'service-account-issuer': (STRING, 10, None), 'api-audiences': (LIST, 13, None),
        'service-account-lookup': BOOL, 'enable-admission-plugins': (LIST, 10, None),
        'disable-admission-plugins': (LIST, 10, None), 'admission-control-config-file': STRING,
        'runtime-config': MAP, 'feature-gates': MAP, 'profiling': BOOL,
        'insecure-port': (INT, None, 24), 'insecure-bind-address': (IP, None, 24), 'address': (IP, None, 24),
        'port': (INT, None, 24), 'apiserver-count': INT, 'endpoint-reconciler-type': (STRING, 9, None),
        'enable-aggregator-routing': (BOOL, 7, None), 'requestheader-client-ca-file': STRING,
        'requestheader-allowed-names': LIST, 'requestheader-extra-headers-prefix': LIST,
        'requestheader-group-headers': LIST, 'requestheader-username-headers': LIST,
        'proxy-client-cert-file': STRING, 'proxy-client-key-file': STRING, 'audit-log-path': STRING,
        'audit-log-maxage': INT, 'audit-log-maxbackup': INT, 'audit-log-maxsize': INT,
        'audit-policy-file': (STRING, 7, None), 'event-ttl': DURATION, 'external-hostname': STRING,
        'max-requests-inflight': INT, 'max-mutating-requests-inflight': (INT, 7, None),
        'min-request-timeout': INT, 'request-timeout': DURATION, 'cors-allowed-origins': LIST,
        'default-not-ready-toleration-seconds': (INT, 11, None),
        'default-unreachable-toleration-seconds': (INT, 11, None), 'enable-swagger-ui': (BOOL, None, 14),
        'cloud-provider': STRING, 'cloud-config': STRING, 'watch-cache': BOOL,
        'encryption-provider-config': (STRING, 13, None),
    }),
    'kube-controller-manager': dict(_CLIENT, **_LEADER, **_SERVING, **{
        'service-cluster-ip-range': STRING, 'cluster-cidr': STRING, 'allocate-node-cidrs': BOOL,
        'node-cidr-mask-size': INT, 'cluster-name': STRING, 'cluster-signing-cert-file': STRING,
        'cluster-signing-key-file': STRING, 'root-ca-file': STRING, 'service-account-private-key-file': STRING,
        'use-service-account-credentials': BOOL, 'controllers': LIST, 'configure-cloud-routes': BOOL,
        'cloud-provider': STRING, 'cloud-config': STRING, 'node-monitor-grace-period': DURATION,
        'node-monitor-period': DURATION, 'terminated-pod-gc-threshold': INT,
        'horizontal-pod-autoscaler-sync-period': DURATION, 'address': (IP, None, 24), 'port': (INT, None, 24),
        'authentication-kubeconfig': (STRING, 12, None), 'authorization-kubeconfig': (STRING, 12, None),
        'requestheader-client-ca-file': (STRING, 12, None), 'client-ca-file': (STRING, 12, None),
    }),
    'kube-scheduler': dict(_CLIENT, **_LEADER, **_SERVING, **{
        'config': STRING, 'address': (IP, None, 24), 'port': (INT, None, 24),
        'authentication-kubeconfig': (STRING, 12, None), 'authorization-kubeconfig': (STRING, 12, None),
        'requestheader-client-ca-file': (STRING, 12, None), 'client-ca-file': (STRING, 12, None),
    }),
    'kubelet': {
        'kubeconfig': STRING, 'bootstrap-kubeconfig': (STRING, 8, None), 'require-kubeconfig': (BOOL, None, 10),
        'api-servers': (LIST, None, 8), 'address': IP, 'port': INT, 'read-only-port': INT,
        'healthz-bind-address': IP, 'healthz-port': INT, 'hostname-override': STRING, 'node-ip': STRING,
        'pod-cidr': STRING, 'cgroup-driver': STRING, 'cgroups-per-qos': BOOL, 'cgroup-root': STRING,
        'container-runtime': (STRING, None, 27), 'container-runtime-endpoint': STRING,
        'image-service-endpoint': STRING, 'runtime-request-timeout': DURATION,
        'docker-endpoint': (STRING, None, 24), 'network-plugin': (STRING, None, 24),
        'cni-bin-dir': (STRING, None, 24), 'cni-conf-dir': (STRING, None, 24), 'network-plugin-mtu': (INT, None, 24),
        'pod-infra-container-image': STRING, 'allow-privileged': (BOOL, None, 15), 'cadvisor-port': (INT, None, 12),
        'cluster-dns': LIST, 'cluster-domain': STRING, 'config': STRING, 'pod-manifest-path': STRING,
        'manifest-url': STRING, 'fail-swap-on': (BOOL, 8, None), 'feature-gates': MAP, 'max-pods': INT,
        'node-labels': MAP, 'register-node': BOOL, 'register-with-taints': LIST, 'resolv-conf': STRING,
        'root-dir': STRING, 'cert-dir': STRING, 'tls-cert-file': STRING, 'tls-private-key-file': STRING,
        'client-ca-file': STRING, 'anonymous-auth': BOOL, 'authentication-token-webhook': BOOL,
        'authorization-mode': STRING, 'rotate-certificates': (BOOL, 8, None), 'serialize-image-pulls': BOOL,
        'eviction-hard': STRING, 'kube-reserved': MAP, 'system-reserved': MAP, 'enforce-node-allocatable': LIST,
        'hairpin-mode': STRING, 'make-iptables-util-chains': BOOL, 'runtime-cgroups': STRING,
        'kubelet-cgroups': STRING, 'system-cgroups': STRING, 'cloud-provider': STRING, 'cloud-config': STRING,
        'volume-plugin-dir': STRING, 'node-status-update-frequency': DURATION, 'sync-frequency': DURATION,
        'file-check-frequency': DURATION, 'http-check-frequency': DURATION, 'image-gc-high-threshold': INT,
        'image-gc-low-threshold': INT, 'protect-kernel-defaults': BOOL,
        'streaming-connection-idle-timeout': DURATION, 'provider-id': (STRING, 10, None),
    },
    'kube-proxy': dict(_CLIENT, **{
        'config': STRING, 'write-config-to': STRING, 'hostname-override': STRING, 'proxy-mode': STRING,
        'cluster-cidr': STRING, 'bind-address': IP, 'healthz-bind-address': STRING,
        'metrics-bind-address': STRING, 'masquerade-all': BOOL, 'iptables-masquerade-bit': INT,
        'iptables-sync-period': DURATION, 'iptables-min-sync-period': DURATION,
        'ipvs-scheduler': (STRING, 8, None), 'ipvs-sync-period': (DURATION, 8, None),
        'ipvs-min-sync-period': (DURATION, 8, None), 'ipvs-exclude-cidrs': (LIST, 10, None),
        'ipvs-strict-arp': (BOOL, 17, None), 'nodeport-addresses': (LIST, 10, None),
        'conntrack-max-per-core': INT, 'conntrack-min': INT, 'conntrack-tcp-timeout-established': DURATION,
        'conntrack-tcp-timeout-close-wait': DURATION, 'proxy-port-range': STRING, 'udp-timeout': DURATION,
        'oom-score-adj': INT, 'cleanup': (BOOL, 8, None),
    }),
}

# cri-dockerd (Mirantis, 0.3.x) versions on its own; the lab's Kubernetes release does not matter.
CRI_DOCKERD = {
    'container-runtime-endpoint': STRING, 'network-plugin': STRING, 'pod-infra-container-image': STRING,
    'cni-bin-dir': STRING, 'cni-cache-dir': STRING, 'cni-conf-dir': STRING, 'docker-endpoint': STRING,
    'cri-dockerd-root-directory': STRING, 'runtime-cgroups': STRING, 'log-level': STRING,
    'hairpin-mode': STRING, 'image-pull-progress-deadline': DURATION, 'ipv6-dual-stack': BOOL,
    'network-plugin-mtu': INT, 'streaming-bind-addr': STRING, 'pod-cidr': STRING, 'buildinfo': BOOL,
    'version': BOOL, 'help': BOOL,
}


def table(binary, dialect, minor):
    """{flag name: kind} for binary in the lab's dialect and release (minor of 1.x)."""
    if binary == 'cri-dockerd':
        return dict(CRI_DOCKERD)
    if dialect == 'legacy':
        return dict(LEGACY[binary], **_GLOG)
    out = {}
    for name, spec in list(MODERN[binary].items()) + list(_KLOG.items()):
        kind, since, until = spec if isinstance(spec, tuple) else (spec, None, None)
        if (since is None or minor >= since) and (until is None or minor < until):
            out[name] = kind
    return out
