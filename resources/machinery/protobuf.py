"""Kubernetes protobuf request bodies (``application/vnd.kubernetes.protobuf``).

kubectl >= 1.32 sends typed creates (``kubectl create namespace|deployment|...``,
``autoscale``, ``debug``, ``auth can-i``, ``auth whoami``) as protobuf; ``decode``
turns such a body into the same JSON-shaped dict the equivalent JSON body would
give, so everything downstream only ever sees JSON objects.

Wire format: the 4 magic bytes ``k8s\\x00``, then a ``runtime.Unknown``
message {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw typed message,
3: contentEncoding, 4: contentType}.

No package on PyPI/npm/Debian ships the v1.32 ``generated.proto`` files or
descriptors, so the field numbers live in ``_FIELDS`` below: our own compact
table, one line per protobuf message, ``jsonName=fieldNumber``. Everything
else (scalar vs message vs list vs map, int32 vs int64, bytes, which fields
are required) comes from the kubernetes-validate v1.32 JSON schemas, keyed by
definition name (``io.k8s.api.core.v1.PodSpec``).

JSON shape follows Go's encoding/json on the decoded struct: a message that is
on the wire is emitted (``spec: {}``), a scalar is emitted when it is non-zero,
required (no ``omitempty``), or a pointer (marked ``?`` in the table, where an
explicit zero/false/"" is meaningful; also used for the odd field without
``omitempty`` that the schema does not list as required); an empty
``metav1.Time`` is ``null``.
"""
import base64
import datetime
import json
import re
import struct
from functools import lru_cache
from pathlib import Path

from resources.machinery.errors import bad_request

MAGIC = b"k8s\x00"
CONTENT_TYPE = "application/vnd.kubernetes.protobuf"

# --------------------------------------------------------------------------
# Field numbers. Format:
#   [definition prefix]
#   Message   jsonName=N  ptrScalar=N?  ^InlineMessage=N  (continuation lines indented)
#   Message   =OtherMessage             (same fields as OtherMessage)
# ``?``  a pointer scalar in Go (*int32, *bool, *string), or a scalar without
#        omitempty that the schema does not require: emitted even when zero.
# ``^X`` a Go struct embedded with `json:",inline"`; its fields land in this object.
# Types come from the JSON schema of the message (for an inline message: of the
# message that embeds it). Unlisted field numbers are skipped, as Go does.
# --------------------------------------------------------------------------
_FIELDS = """
[io.k8s.apimachinery.pkg.apis.meta.v1]
ObjectMeta              name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6
                        generation=7 creationTimestamp=8 deletionTimestamp=9
                        deletionGracePeriodSeconds=10? labels=11 annotations=12
                        ownerReferences=13 finalizers=14 managedFields=17
OwnerReference          kind=1 name=3 uid=4 apiVersion=5 controller=6? blockOwnerDeletion=7?
ManagedFieldsEntry      manager=1 operation=2 apiVersion=3 time=4 fieldsType=6 fieldsV1=7 subresource=8
LabelSelector           matchLabels=1 matchExpressions=2
LabelSelectorRequirement key=1 operator=2 values=3
FieldSelectorRequirement key=1 operator=2 values=3
Condition               type=1 status=2 observedGeneration=3 lastTransitionTime=4 reason=5 message=6
DeleteOptions           gracePeriodSeconds=1? preconditions=2 orphanDependents=3? propagationPolicy=4?
                        dryRun=5 ignoreStoreReadErrorWithClusterBreakingPotential=6?
Preconditions           uid=1? resourceVersion=2?

[io.k8s.api.core.v1]
Namespace               metadata=1 spec=2 status=3
NamespaceSpec           finalizers=1
NamespaceStatus         phase=1 conditions=2
NamespaceCondition      type=1 status=2 lastTransitionTime=4 reason=5 message=6
ConfigMap               metadata=1 data=2 binaryData=3 immutable=4?
Secret                  metadata=1 data=2 type=3 stringData=4 immutable=5?
ServiceAccount          metadata=1 secrets=2 imagePullSecrets=3 automountServiceAccountToken=4?
ObjectReference         kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7
LocalObjectReference    name=1
TypedLocalObjectReference apiGroup=1? kind=2 name=3
TypedObjectReference    apiGroup=1? kind=2 name=3 namespace=4?
ResourceQuota           metadata=1 spec=2 status=3
ResourceQuotaSpec       hard=1 scopes=2 scopeSelector=3
ResourceQuotaStatus     hard=1 used=2
ScopeSelector           matchExpressions=1
ScopedResourceSelectorRequirement scopeName=1 operator=2 values=3

Service                 metadata=1 spec=2 status=3
ServiceSpec             ports=1 selector=2 clusterIP=3 type=4 externalIPs=5 sessionAffinity=7
                        loadBalancerIP=8 loadBalancerSourceRanges=9 externalName=10
                        externalTrafficPolicy=11 healthCheckNodePort=12 publishNotReadyAddresses=13
                        sessionAffinityConfig=14 ipFamilyPolicy=17? clusterIPs=18 ipFamilies=19
                        allocateLoadBalancerNodePorts=20? loadBalancerClass=21?
                        internalTrafficPolicy=22? trafficDistribution=23?
ServicePort             name=1 protocol=2 port=3 targetPort=4 nodePort=5 appProtocol=6?
SessionAffinityConfig   clientIP=1
ClientIPConfig          timeoutSeconds=1?
ServiceStatus           loadBalancer=1 conditions=2
LoadBalancerStatus      ingress=1
LoadBalancerIngress     ip=1 hostname=2 ipMode=3? ports=4
PortStatus              port=1 protocol=2 error=3?

Pod                     metadata=1 spec=2 status=3
PodTemplateSpec         metadata=1 spec=2
PodSpec                 volumes=1 containers=2 restartPolicy=3 terminationGracePeriodSeconds=4?
                        activeDeadlineSeconds=5? dnsPolicy=6 nodeSelector=7 serviceAccountName=8
                        serviceAccount=9 nodeName=10 hostNetwork=11 hostPID=12 hostIPC=13
                        securityContext=14 imagePullSecrets=15 hostname=16 subdomain=17 affinity=18
                        schedulerName=19 initContainers=20 automountServiceAccountToken=21?
                        tolerations=22 hostAliases=23 priorityClassName=24 priority=25? dnsConfig=26
                        shareProcessNamespace=27? readinessGates=28 runtimeClassName=29?
                        enableServiceLinks=30? preemptionPolicy=31? overhead=32
                        topologySpreadConstraints=33 ephemeralContainers=34 setHostnameAsFQDN=35?
                        os=36 hostUsers=37? schedulingGates=38 resourceClaims=39 resources=40
Container               name=1 image=2 command=3 args=4 workingDir=5 ports=6 env=7 resources=8
                        volumeMounts=9 livenessProbe=10 readinessProbe=11 lifecycle=12
                        terminationMessagePath=13 imagePullPolicy=14 securityContext=15 stdin=16
                        stdinOnce=17 tty=18 envFrom=19 terminationMessagePolicy=20 volumeDevices=21
                        startupProbe=22 resizePolicy=23 restartPolicy=24?
EphemeralContainer      ^EphemeralContainerCommon=1 targetContainerName=2
EphemeralContainerCommon =Container
ContainerPort           name=1 hostPort=2 containerPort=3 protocol=4 hostIP=5
ContainerResizePolicy   resourceName=1 restartPolicy=2
EnvVar                  name=1 value=2 valueFrom=3
EnvVarSource            fieldRef=1 resourceFieldRef=2 configMapKeyRef=3 secretKeyRef=4
ObjectFieldSelector     apiVersion=1 fieldPath=2
ResourceFieldSelector   containerName=1 resource=2 divisor=3
ConfigMapKeySelector    ^LocalObjectReference=1 key=2 optional=3?
SecretKeySelector       ^LocalObjectReference=1 key=2 optional=3?
EnvFromSource           prefix=1 configMapRef=2 secretRef=3
ConfigMapEnvSource      ^LocalObjectReference=1 optional=2?
SecretEnvSource         ^LocalObjectReference=1 optional=2?
ResourceRequirements    limits=1 requests=2 claims=3
ResourceClaim           name=1 request=2
VolumeMount             name=1 readOnly=2 mountPath=3 subPath=4 mountPropagation=5? subPathExpr=6
                        recursiveReadOnly=7?
VolumeDevice            name=1 devicePath=2
Probe                   ^ProbeHandler=1 initialDelaySeconds=2 timeoutSeconds=3 periodSeconds=4
                        successThreshold=5 failureThreshold=6 terminationGracePeriodSeconds=7?
ProbeHandler            exec=1 httpGet=2 tcpSocket=3 grpc=4
Lifecycle               postStart=1 preStop=2
LifecycleHandler        exec=1 httpGet=2 tcpSocket=3 sleep=4
ExecAction              command=1
HTTPGetAction           path=1 port=2 host=3 scheme=4 httpHeaders=5
HTTPHeader              name=1 value=2
TCPSocketAction         port=1 host=2
GRPCAction              port=1 service=2?
SleepAction             seconds=1
SecurityContext         capabilities=1 privileged=2? seLinuxOptions=3 runAsUser=4? runAsNonRoot=5?
                        readOnlyRootFilesystem=6? allowPrivilegeEscalation=7? runAsGroup=8?
                        procMount=9? windowsOptions=10 seccompProfile=11 appArmorProfile=12
Capabilities            add=1 drop=2
SELinuxOptions          user=1 role=2 type=3 level=4
WindowsSecurityContextOptions gmsaCredentialSpecName=1? gmsaCredentialSpec=2? runAsUserName=3?
                        hostProcess=4?
SeccompProfile          type=1 localhostProfile=2?
AppArmorProfile         type=1 localhostProfile=2?
PodSecurityContext      seLinuxOptions=1 runAsUser=2? runAsNonRoot=3? supplementalGroups=4 fsGroup=5?
                        runAsGroup=6? sysctls=7 windowsOptions=8 fsGroupChangePolicy=9?
                        seccompProfile=10 appArmorProfile=11 supplementalGroupsPolicy=12?
                        seLinuxChangePolicy=13?
Sysctl                  name=1 value=2
Affinity                nodeAffinity=1 podAffinity=2 podAntiAffinity=3
NodeAffinity            requiredDuringSchedulingIgnoredDuringExecution=1
                        preferredDuringSchedulingIgnoredDuringExecution=2
NodeSelector            nodeSelectorTerms=1
NodeSelectorTerm        matchExpressions=1 matchFields=2
NodeSelectorRequirement key=1 operator=2 values=3
PreferredSchedulingTerm weight=1 preference=2
PodAffinity             requiredDuringSchedulingIgnoredDuringExecution=1
                        preferredDuringSchedulingIgnoredDuringExecution=2
PodAntiAffinity         =PodAffinity
PodAffinityTerm         labelSelector=1 namespaces=2 topologyKey=3 namespaceSelector=4
                        matchLabelKeys=5 mismatchLabelKeys=6
WeightedPodAffinityTerm weight=1 podAffinityTerm=2
Toleration              key=1 operator=2 value=3 effect=4 tolerationSeconds=5?
HostAlias               ip=1 hostnames=2
PodDNSConfig            nameservers=1 searches=2 options=3
PodDNSConfigOption      name=1 value=2?
PodReadinessGate        conditionType=1
TopologySpreadConstraint maxSkew=1 topologyKey=2 whenUnsatisfiable=3 labelSelector=4 minDomains=5?
                        nodeAffinityPolicy=6? nodeTaintsPolicy=7? matchLabelKeys=8
PodOS                   name=1
PodSchedulingGate       name=1
PodResourceClaim        name=1 resourceClaimName=3? resourceClaimTemplateName=4?

Volume                  name=1 ^VolumeSource=2
VolumeSource            hostPath=1 emptyDir=2 gcePersistentDisk=3 awsElasticBlockStore=4 gitRepo=5
                        secret=6 nfs=7 iscsi=8 glusterfs=9 persistentVolumeClaim=10 rbd=11
                        flexVolume=12 cinder=13 cephfs=14 flocker=15 downwardAPI=16 fc=17
                        azureFile=18 configMap=19 vsphereVolume=20 quobyte=21 azureDisk=22
                        photonPersistentDisk=23 portworxVolume=24 scaleIO=25 projected=26
                        storageos=27 csi=28 ephemeral=29 image=30
HostPathVolumeSource    path=1 type=2?
EmptyDirVolumeSource    medium=1 sizeLimit=2
GCEPersistentDiskVolumeSource pdName=1 fsType=2 partition=3 readOnly=4
AWSElasticBlockStoreVolumeSource volumeID=1 fsType=2 partition=3 readOnly=4
GitRepoVolumeSource     repository=1 revision=2 directory=3
SecretVolumeSource      secretName=1 items=2 defaultMode=3? optional=4?
KeyToPath               key=1 path=2 mode=3?
NFSVolumeSource         server=1 path=2 readOnly=3
ISCSIVolumeSource       targetPortal=1 iqn=2 lun=3 iscsiInterface=4 fsType=5 readOnly=6 portals=7
                        chapAuthDiscovery=8 secretRef=10 chapAuthSession=11 initiatorName=12?
GlusterfsVolumeSource   endpoints=1 path=2 readOnly=3
PersistentVolumeClaimVolumeSource claimName=1 readOnly=2
RBDVolumeSource         monitors=1 image=2 fsType=3 pool=4 user=5 keyring=6 secretRef=7 readOnly=8
FlexVolumeSource        driver=1 fsType=2 secretRef=3 readOnly=4 options=5
CinderVolumeSource      volumeID=1 fsType=2 readOnly=3 secretRef=4
CephFSVolumeSource      monitors=1 path=2 user=3 secretFile=4 secretRef=5 readOnly=6
FlockerVolumeSource     datasetName=1 datasetUUID=2
DownwardAPIVolumeSource items=1 defaultMode=2?
DownwardAPIVolumeFile   path=1 fieldRef=2 resourceFieldRef=3 mode=4?
FCVolumeSource          targetWWNs=1 lun=2? fsType=3 readOnly=4 wwids=5
AzureFileVolumeSource   secretName=1 shareName=2 readOnly=3
ConfigMapVolumeSource   ^LocalObjectReference=1 items=2 defaultMode=3? optional=4?
VsphereVirtualDiskVolumeSource volumePath=1 fsType=2 storagePolicyName=3 storagePolicyID=4
QuobyteVolumeSource     registry=1 volume=2 readOnly=3 user=4 group=5 tenant=6
AzureDiskVolumeSource   diskName=1 diskURI=2 cachingMode=3? fsType=4? readOnly=5? kind=6?
PhotonPersistentDiskVolumeSource pdID=1 fsType=2
PortworxVolumeSource    volumeID=1 fsType=2 readOnly=3
ScaleIOVolumeSource     gateway=1 system=2 secretRef=3 sslEnabled=4 protectionDomain=5 storagePool=6
                        storageMode=7 volumeName=8 fsType=9 readOnly=10
ProjectedVolumeSource   sources=1 defaultMode=2?
VolumeProjection        secret=1 downwardAPI=2 configMap=3 serviceAccountToken=4 clusterTrustBundle=5
SecretProjection        ^LocalObjectReference=1 items=2 optional=4?
DownwardAPIProjection   items=1
ConfigMapProjection     ^LocalObjectReference=1 items=2 optional=4?
ServiceAccountTokenProjection audience=1 expirationSeconds=2? path=3
ClusterTrustBundleProjection name=1? signerName=2? labelSelector=3 path=4 optional=5?
StorageOSVolumeSource   volumeName=1 volumeNamespace=2 fsType=3 readOnly=4 secretRef=5
CSIVolumeSource         driver=1 readOnly=2? fsType=3? volumeAttributes=4 nodePublishSecretRef=5
EphemeralVolumeSource   volumeClaimTemplate=1
PersistentVolumeClaimTemplate metadata=1 spec=2
PersistentVolumeClaimSpec accessModes=1 resources=2 volumeName=3 selector=4 storageClassName=5?
                        volumeMode=6? dataSource=7 dataSourceRef=8 volumeAttributesClassName=9?
VolumeResourceRequirements limits=1 requests=2
PersistentVolumeClaim   metadata=1 spec=2 status=3
PersistentVolumeClaimStatus phase=1 accessModes=2 capacity=3 conditions=4 allocatedResources=5
                        allocatedResourceStatuses=7 currentVolumeAttributesClassName=8?
                        modifyVolumeStatus=9
PersistentVolumeClaimCondition type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
ModifyVolumeStatus      targetVolumeAttributesClassName=1 status=2
ImageVolumeSource       reference=1 pullPolicy=2

PodStatus               phase=1 conditions=2 message=3 reason=4 hostIP=5 podIP=6 startTime=7
                        containerStatuses=8 qosClass=9 initContainerStatuses=10
                        nominatedNodeName=11 podIPs=12 ephemeralContainerStatuses=13 resize=14
                        resourceClaimStatuses=15 hostIPs=16
PodCondition            type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
PodIP                   ip=1
HostIP                  ip=1
PodResourceClaimStatus  name=1 resourceClaimName=2?
ContainerStatus         name=1 state=2 lastState=3 ready=4 restartCount=5 image=6 imageID=7
                        containerID=8 started=9? allocatedResources=10 resources=11
                        volumeMounts=12 user=13 allocatedResourcesStatus=14
ContainerState          waiting=1 running=2 terminated=3
ContainerStateWaiting   reason=1 message=2
ContainerStateRunning   startedAt=1
ContainerStateTerminated exitCode=1 signal=2 reason=3 message=4 startedAt=5 finishedAt=6
                        containerID=7
ContainerUser           linux=1
LinuxContainerUser      uid=1 gid=2 supplementalGroups=3
VolumeMountStatus       name=1 mountPath=2 readOnly=3 recursiveReadOnly=4?
ResourceStatus          name=1 resources=2
ResourceHealth          resourceID=1 health=2

[io.k8s.api.apps.v1]
Deployment              metadata=1 spec=2 status=3
DeploymentSpec          replicas=1? selector=2 template=3 strategy=4 minReadySeconds=5
                        revisionHistoryLimit=6? paused=7 progressDeadlineSeconds=9?
DeploymentStrategy      type=1 rollingUpdate=2
RollingUpdateDeployment maxUnavailable=1 maxSurge=2
DeploymentStatus        observedGeneration=1 replicas=2 updatedReplicas=3 availableReplicas=4
                        unavailableReplicas=5 conditions=6 readyReplicas=7 collisionCount=8?
DeploymentCondition     type=1 status=2 reason=4 message=5 lastUpdateTime=6 lastTransitionTime=7
StatefulSet             metadata=1 spec=2 status=3
StatefulSetSpec         replicas=1? selector=2 template=3 volumeClaimTemplates=4 serviceName=5
                        podManagementPolicy=6 updateStrategy=7 revisionHistoryLimit=8? minReadySeconds=9
                        persistentVolumeClaimRetentionPolicy=10 ordinals=11
StatefulSetUpdateStrategy type=1 rollingUpdate=2
RollingUpdateStatefulSetStrategy partition=1? maxUnavailable=2
StatefulSetPersistentVolumeClaimRetentionPolicy whenDeleted=1 whenScaled=2
StatefulSetOrdinals     start=1?
StatefulSetStatus       observedGeneration=1 replicas=2 readyReplicas=3 currentReplicas=4 updatedReplicas=5
                        currentRevision=6 updateRevision=7 collisionCount=9? conditions=10
                        availableReplicas=11?
StatefulSetCondition    type=1 status=2 lastTransitionTime=3 reason=4 message=5
DaemonSet               metadata=1 spec=2 status=3
DaemonSetSpec           selector=1 template=2 updateStrategy=3 minReadySeconds=4 revisionHistoryLimit=6?
DaemonSetUpdateStrategy type=1 rollingUpdate=2
RollingUpdateDaemonSet  maxUnavailable=1 maxSurge=2
DaemonSetStatus         currentNumberScheduled=1 numberMisscheduled=2 desiredNumberScheduled=3
                        numberReady=4 observedGeneration=5 updatedNumberScheduled=6 numberAvailable=7
                        numberUnavailable=8 collisionCount=9? conditions=10
DaemonSetCondition      =StatefulSetCondition
ReplicaSet              metadata=1 spec=2 status=3
ReplicaSetSpec          replicas=1? selector=2 template=3 minReadySeconds=4
ReplicaSetStatus        replicas=1 fullyLabeledReplicas=2 observedGeneration=3 readyReplicas=4
                        availableReplicas=5 conditions=6
ReplicaSetCondition     =StatefulSetCondition
ControllerRevision      metadata=1 data=2 revision=3

[io.k8s.api.batch.v1]
Job                     metadata=1 spec=2 status=3
JobSpec                 parallelism=1? completions=2? activeDeadlineSeconds=3? selector=4
                        manualSelector=5? template=6 backoffLimit=7? ttlSecondsAfterFinished=8?
                        completionMode=9? suspend=10? podFailurePolicy=11 backoffLimitPerIndex=12?
                        maxFailedIndexes=13? podReplacementPolicy=14? managedBy=15? successPolicy=16
PodFailurePolicy        rules=1
PodFailurePolicyRule    action=1 onExitCodes=2 onPodConditions=3
PodFailurePolicyOnExitCodesRequirement containerName=1? operator=2 values=3
PodFailurePolicyOnPodConditionsPattern type=1 status=2
SuccessPolicy           rules=1
SuccessPolicyRule       succeededIndexes=1? succeededCount=2?
JobStatus               conditions=1 startTime=2 completionTime=3 active=4 succeeded=5 failed=6
                        completedIndexes=7 uncountedTerminatedPods=8 ready=9? failedIndexes=10?
                        terminating=11?
JobCondition            type=1 status=2 lastProbeTime=3 lastTransitionTime=4 reason=5 message=6
UncountedTerminatedPods succeeded=1 failed=2
CronJob                 metadata=1 spec=2 status=3
CronJobSpec             schedule=1 startingDeadlineSeconds=2? concurrencyPolicy=3 suspend=4?
                        jobTemplate=5 successfulJobsHistoryLimit=6? failedJobsHistoryLimit=7?
                        timeZone=8?
JobTemplateSpec         metadata=1 spec=2
CronJobStatus           active=1 lastScheduleTime=4 lastSuccessfulTime=5

[io.k8s.api.rbac.v1]
Role                    metadata=1 rules=2
ClusterRole             metadata=1 rules=2 aggregationRule=3
PolicyRule              verbs=1 apiGroups=2 resources=3 resourceNames=4 nonResourceURLs=5
AggregationRule         clusterRoleSelectors=1
RoleBinding             metadata=1 subjects=2 roleRef=3
ClusterRoleBinding      metadata=1 subjects=2 roleRef=3
Subject                 kind=1 apiGroup=2 name=3 namespace=4
RoleRef                 apiGroup=1 kind=2 name=3

[io.k8s.api.scheduling.v1]
PriorityClass           metadata=1 value=2 globalDefault=3 description=4 preemptionPolicy=5?

[io.k8s.api.autoscaling.v1]
HorizontalPodAutoscaler metadata=1 spec=2 status=3
HorizontalPodAutoscalerSpec scaleTargetRef=1 minReplicas=2? maxReplicas=3 targetCPUUtilizationPercentage=4?
CrossVersionObjectReference kind=1 name=2 apiVersion=3
HorizontalPodAutoscalerStatus observedGeneration=1? lastScaleTime=2 currentReplicas=3 desiredReplicas=4
                        currentCPUUtilizationPercentage=5?
Scale                   metadata=1 spec=2 status=3
ScaleSpec               replicas=1
ScaleStatus             replicas=1 selector=2

[io.k8s.api.autoscaling.v2]
HorizontalPodAutoscaler metadata=1 spec=2 status=3
HorizontalPodAutoscalerSpec scaleTargetRef=1 minReplicas=2? maxReplicas=3 metrics=4 behavior=5
CrossVersionObjectReference kind=1 name=2 apiVersion=3
MetricSpec              type=1 object=2 pods=3 resource=4 external=5 containerResource=7
ObjectMetricSource      describedObject=1 target=2 metric=3
PodsMetricSource        metric=1 target=2
ResourceMetricSource    name=1 target=2
ContainerResourceMetricSource name=1 target=2 container=3
ExternalMetricSource    =PodsMetricSource
MetricIdentifier        name=1 selector=2
MetricTarget            type=1 value=2 averageValue=3 averageUtilization=4?
HorizontalPodAutoscalerBehavior scaleUp=1 scaleDown=2
HPAScalingRules         selectPolicy=1? policies=2 stabilizationWindowSeconds=3?
HPAScalingPolicy        type=1 value=2 periodSeconds=3
HorizontalPodAutoscalerStatus observedGeneration=1? lastScaleTime=2 currentReplicas=3 desiredReplicas=4
                        currentMetrics=5 conditions=6
HorizontalPodAutoscalerCondition type=1 status=2 lastTransitionTime=3 reason=4 message=5
MetricStatus            type=1 object=2 pods=3 resource=4 external=5 containerResource=7
ObjectMetricStatus      metric=1 current=2 describedObject=3
PodsMetricStatus        metric=1 current=2
ResourceMetricStatus    name=1 current=2
ContainerResourceMetricStatus name=1 current=2 container=3
ExternalMetricStatus    =PodsMetricStatus
MetricValueStatus       value=1 averageValue=2 averageUtilization=3?

[io.k8s.api.coordination.v1]
Lease                   metadata=1 spec=2
LeaseSpec               holderIdentity=1? leaseDurationSeconds=2? acquireTime=3 renewTime=4
                        leaseTransitions=5? strategy=6? preferredHolder=7?

[io.k8s.api.policy.v1]
PodDisruptionBudget     metadata=1 spec=2 status=3
PodDisruptionBudgetSpec minAvailable=1 selector=2 maxUnavailable=3 unhealthyPodEvictionPolicy=4?
PodDisruptionBudgetStatus observedGeneration=1 disruptedPods=2 disruptionsAllowed=3
                        currentHealthy=4 desiredHealthy=5 expectedPods=6 conditions=7
Eviction                metadata=1 deleteOptions=2

[io.k8s.api.networking.v1]
Ingress                 metadata=1 spec=2 status=3
IngressSpec             defaultBackend=1 tls=2 rules=3 ingressClassName=4?
IngressBackend          resource=3 service=4
IngressServiceBackend   name=1 port=2
ServiceBackendPort      name=1 number=2
IngressTLS              hosts=1 secretName=2
IngressRule             host=1 ^IngressRuleValue=2
IngressRuleValue        http=1
HTTPIngressRuleValue    paths=1
HTTPIngressPath         path=1 backend=2 pathType=3?
IngressStatus           loadBalancer=1
IngressLoadBalancerStatus ingress=1
IngressLoadBalancerIngress ip=1 hostname=2 ports=4
IngressPortStatus       port=1 protocol=2 error=3?

[io.k8s.api.authorization.v1]
SelfSubjectAccessReview metadata=1 spec=2 status=3
SelfSubjectAccessReviewSpec resourceAttributes=1 nonResourceAttributes=2
ResourceAttributes      namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7
                        fieldSelector=8 labelSelector=9
FieldSelectorAttributes rawSelector=1 requirements=2
LabelSelectorAttributes rawSelector=1 requirements=2
NonResourceAttributes   path=1 verb=2
SubjectAccessReviewStatus allowed=1 reason=2 evaluationError=3 denied=4
SelfSubjectRulesReview  metadata=1 spec=2 status=3
SelfSubjectRulesReviewSpec namespace=1
SubjectRulesReviewStatus resourceRules=1 nonResourceRules=2 incomplete=3 evaluationError=4
ResourceRule            verbs=1 apiGroups=2 resources=3 resourceNames=4
NonResourceRule         verbs=1 nonResourceURLs=2

[io.k8s.api.authentication.v1]
SelfSubjectReview       metadata=1 status=2
SelfSubjectReviewStatus userInfo=1
UserInfo                username=1 uid=2 groups=3 extra=4
TokenRequest            metadata=1 spec=2 status=3
TokenRequestSpec        audiences=1 boundObjectRef=3 expirationSeconds=4?
BoundObjectReference    kind=1 apiVersion=2 name=3 uid=4
TokenRequestStatus      token=1 expirationTimestamp=2
"""

# Types with their own wire shape, keyed by JSON schema definition name.
_META = "io.k8s.apimachinery.pkg.apis.meta.v1."
_TIME = _META + "Time"
_MICROTIME = _META + "MicroTime"
_FIELDSV1 = _META + "FieldsV1"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_INTORSTRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_RAWEXTENSION = "io.k8s.apimachinery.pkg.runtime.RawExtension"
_SPECIAL = {_TIME, _MICROTIME, _FIELDSV1, _QUANTITY, _INTORSTRING, _RAWEXTENSION}

_SCHEMA_PATH = ("kubernetes-json-schema", "v1.32.0-local", "_definitions.json")
_MAX_DEPTH = 64
# 0001-01-01T00:00:00Z, Go's zero time.Time, as Unix seconds.
_GO_ZERO_SECONDS = -62135596800
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_WIRE_VARINT, _WIRE_FIXED64, _WIRE_BYTES, _WIRE_START, _WIRE_END, _WIRE_FIXED32 = 0, 1, 2, 3, 4, 5


class ProtobufError(ValueError):
    """Malformed protobuf; ``decode`` turns it into a 400 BadRequest."""


def is_protobuf(content_type: str) -> bool:
    if not content_type:
        return False
    return content_type.split(";", 1)[0].strip().lower() == CONTENT_TYPE


def decode(body: bytes, api_version: str = "", kind: str = "") -> dict:
    """Decode a ``k8s\\x00``-prefixed protobuf body into a JSON-shaped dict.

    ``api_version``/``kind`` are defaults (from the URL) for an envelope
    without TypeMeta, like kube-apiserver's defaulting of the decoded GVK.
    Any malformed input raises ``bad_request``.
    """
    try:
        return _decode(bytes(body), api_version, kind)
    except ProtobufError as exc:
        raise bad_request(str(exc)) from None
    except (RecursionError, ValueError, TypeError, IndexError, KeyError, OverflowError) as exc:
        raise bad_request(f"unable to decode protobuf body: {exc}") from None


def _decode(body, default_api_version, default_kind):
    if not body:
        raise ProtobufError("empty data")
    if not body.startswith(MAGIC):
        raise ProtobufError(
            "provided data does not appear to be a protobuf message, expected prefix "
            + "[" + " ".join(str(b) for b in MAGIC) + "]"
        )
    if len(body) == len(MAGIC):
        raise ProtobufError("empty body")
    api_version, kind, raw = _read_unknown(body, len(MAGIC), len(body))
    api_version = api_version or default_api_version
    kind = kind or default_kind
    if not kind:
        raise ProtobufError("Object 'Kind' is missing in protobuf body")
    if not api_version:
        raise ProtobufError("Object 'apiVersion' is missing in protobuf body")
    defname = _schema().kinds.get((api_version, kind))
    if defname is None:
        raise ProtobufError(f'no kind "{kind}" is registered for version "{api_version}" in protobuf')
    obj = {"apiVersion": api_version, "kind": kind}
    if raw is not None:
        _read_message(raw, 0, len(raw), _message(defname, defname), obj, 0)
    return obj


def _read_unknown(buf, pos, end):
    """runtime.Unknown -> (apiVersion, kind, raw or None)."""
    api_version = kind = ""
    raw = None
    while pos < end:
        num, wire, pos = _read_key(buf, pos, end)
        if num == 1:
            _expect(wire, _WIRE_BYTES, "TypeMeta")
            start, pos = _read_len(buf, pos, end)
            p = start
            while p < pos:
                n, w, p = _read_key(buf, p, pos)
                if n in (1, 2):
                    _expect(w, _WIRE_BYTES, "APIVersion" if n == 1 else "Kind")
                    s, p = _read_len(buf, p, pos)
                    value = _utf8(buf[s:p])
                    if n == 1:
                        api_version = value
                    else:
                        kind = value
                else:
                    p = _skip(buf, p, pos, w, n)
        elif num == 2:
            _expect(wire, _WIRE_BYTES, "Raw")
            start, pos = _read_len(buf, pos, end)
            raw = buf[start:pos]
        elif num in (3, 4):
            _expect(wire, _WIRE_BYTES, "ContentEncoding" if num == 3 else "ContentType")
            _, pos = _read_len(buf, pos, end)
        else:
            pos = _skip(buf, pos, end, wire, num)
    return api_version, kind, raw


# ---------------------------------------------------------------- schema --


class _Schema:
    def __init__(self, defs, table):
        self.defs = defs
        self.table = table
        self.kinds = {}
        for name, definition in defs.items():
            if name not in table:
                continue
            for gvk in definition.get("x-kubernetes-group-version-kind", ()):
                group, version = gvk.get("group", ""), gvk.get("version", "")
                api_version = f"{group}/{version}" if group else version
                self.kinds.setdefault((api_version, gvk["kind"]), name)


@lru_cache(maxsize=1)
def _schema():
    import kubernetes_validate

    path = Path(kubernetes_validate.__file__).parent.joinpath(*_SCHEMA_PATH)
    with open(path, encoding="utf-8") as fh:
        defs = json.load(fh)["$defs"]
    return _Schema(defs, _parse_table(_FIELDS))


def _parse_table(text):
    """_FIELDS -> {definition name: {number: (jsonName, pointer, inline definition or None)}}."""
    table, aliases = {}, {}
    prefix = current = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        header = re.fullmatch(r"\[([\w.]+)\]", line.strip())
        if header:
            prefix = header.group(1)
            continue
        tokens = line.split()
        if not line[0].isspace():
            current = f"{prefix}.{tokens[0]}"
            table[current] = {}
            tokens = tokens[1:]
        for token in tokens:
            if token.startswith("="):
                aliases[current] = f"{prefix}.{token[1:]}"
                continue
            match = re.fullmatch(r"(\^?)(\w+)=(\d+)(\??)", token)
            if not match:
                raise ValueError(f"bad protobuf field entry {token!r} in {current}")
            inline, name, number, pointer = match.groups()
            number = int(number)
            if number in table[current]:
                raise ValueError(f"duplicate field {number} in {current}")
            table[current][number] = (name, bool(pointer), f"{prefix}.{name}" if inline else None)
    for name, target in aliases.items():
        table[name] = table[target]
    return table


class _Field:
    __slots__ = ("name", "number", "pointer", "required", "kind", "elem", "inline")

    def __init__(self, name, number, pointer, required, kind, elem=None, inline=None):
        self.name, self.number, self.pointer, self.required = name, number, pointer, required
        # kind: "str" "bytes" "int32" "int64" "bool" "double" "msg" "special" "list" "map" "inline"
        self.kind, self.elem, self.inline = kind, elem, inline


class _Message:
    __slots__ = ("name", "fields")

    def __init__(self, name):
        self.name = name
        self.fields = {}


_messages = {}


def _message(defname, schema_defname):
    """The compiled message ``defname`` whose JSON properties are those of
    ``schema_defname`` (differs only for inline-embedded messages)."""
    key = (defname, schema_defname)
    msg = _messages.get(key)
    if msg is not None:
        return msg
    schema = _schema()
    if defname not in schema.table:
        raise ProtobufError(f"no protobuf field table for {defname}")
    definition = schema.defs.get(schema_defname, {})
    properties = definition.get("properties", {})
    required = set(definition.get("required", ()))
    msg = _Message(defname)
    for number, (name, pointer, inline) in schema.table[defname].items():
        if inline:
            msg.fields[number] = _Field(name, number, False, False, "inline", inline=(inline, schema_defname))
            continue
        prop = properties.get(name)
        if prop is None:
            raise ProtobufError(f"protobuf field {name} of {defname} is not in the schema of {schema_defname}")
        kind, elem = _kind(prop, f"{defname}.{name}")
        msg.fields[number] = _Field(name, number, pointer, name in required, kind, elem)
    _messages[key] = msg  # only once complete: other threads may be decoding
    return msg


def _ref(prop):
    ref = prop.get("$ref")
    if ref is None:
        for sub in prop.get("allOf", ()):
            if "$ref" in sub:
                ref = sub["$ref"]
                break
    return ref.rsplit("/", 1)[-1] if ref else None


def _kind(prop, where):
    """JSON schema property -> (kind, elem). elem is a definition name for
    "msg"/"special", and a nested (kind, elem) for "list"/"map"."""
    ref = _ref(prop)
    if ref:
        return ("special", ref) if ref in _SPECIAL else ("msg", ref)
    if "additionalProperties" in prop:
        return "map", _kind(prop["additionalProperties"], where)
    types = prop.get("type")
    if isinstance(types, list):
        types = next((t for t in types if t != "null"), None)
    if types == "array":
        return "list", _kind(prop.get("items", {}), where)
    if types == "string":
        return ("bytes" if prop.get("format") == "byte" else "str"), None
    if types == "integer":
        return ("int32" if prop.get("format") == "int32" else "int64"), None
    if types == "boolean":
        return "bool", None
    if types == "number":
        return "double", None
    raise ProtobufError(f"cannot map schema of {where} to protobuf")


# ------------------------------------------------------------------ wire --


def encode_varint(n):
    n &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def encode_key(number, wire_type):
    return encode_varint(number << 3 | wire_type)


def encode_bytes(number, payload):
    """A length-delimited field (wire type 2)."""
    return encode_key(number, 2) + encode_varint(len(payload)) + payload


def _read_varint(buf, pos, end):
    result = shift = 0
    while True:
        if pos >= end:
            raise ProtobufError("unexpected EOF")
        byte = buf[pos]
        pos += 1
        if shift >= 64:
            raise ProtobufError("proto: integer overflow")
        result |= (byte & 0x7F) << shift
        if byte < 0x80:
            return result & 0xFFFFFFFFFFFFFFFF, pos
        shift += 7


def _read_key(buf, pos, end):
    key, pos = _read_varint(buf, pos, end)
    number, wire = key >> 3, key & 7
    if wire == _WIRE_END:
        raise ProtobufError("proto: wiretype end group for non-group")
    if number <= 0 or number >= 1 << 29:
        raise ProtobufError(f"proto: illegal tag {number} (wire type {wire})")
    return number, wire, pos


def _read_len(buf, pos, end):
    length, pos = _read_varint(buf, pos, end)
    if length > end - pos:
        raise ProtobufError("unexpected EOF")
    return pos, pos + length


def _skip(buf, pos, end, wire, number, depth=0):
    if wire == _WIRE_VARINT:
        return _read_varint(buf, pos, end)[1]
    if wire == _WIRE_FIXED64:
        if end - pos < 8:
            raise ProtobufError("unexpected EOF")
        return pos + 8
    if wire == _WIRE_FIXED32:
        if end - pos < 4:
            raise ProtobufError("unexpected EOF")
        return pos + 4
    if wire == _WIRE_BYTES:
        return _read_len(buf, pos, end)[1]
    if wire == _WIRE_START:
        if depth > _MAX_DEPTH:
            raise ProtobufError("proto: exceeded maximum nesting depth")
        while True:
            key, pos = _read_varint(buf, pos, end)
            n, w = key >> 3, key & 7
            if w == _WIRE_END:
                if n != number:
                    raise ProtobufError("proto: mismatched end group")
                return pos
            pos = _skip(buf, pos, end, w, n, depth + 1)
    raise ProtobufError(f"proto: illegal wireType {wire}")


def _expect(wire, want, name):
    if wire != want:
        raise ProtobufError(f"proto: wrong wireType = {wire} for field {name}")


def _utf8(data):
    # Go keeps invalid UTF-8 in a string; encoding/json then writes U+FFFD.
    return bytes(data).decode("utf-8", errors="replace")


def _signed(value, bits):
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


_SCALAR_WIRE = {"str": _WIRE_BYTES, "bytes": _WIRE_BYTES, "int32": _WIRE_VARINT, "int64": _WIRE_VARINT,
                "bool": _WIRE_VARINT, "double": _WIRE_FIXED64}


def _read_scalar(kind, buf, pos, end):
    if kind == "str":
        start, pos = _read_len(buf, pos, end)
        return _utf8(buf[start:pos]), pos
    if kind == "bytes":
        start, pos = _read_len(buf, pos, end)
        return base64.b64encode(buf[start:pos]).decode("ascii"), pos
    if kind == "double":
        if end - pos < 8:
            raise ProtobufError("unexpected EOF")
        return struct.unpack_from("<d", buf, pos)[0], pos + 8
    value, pos = _read_varint(buf, pos, end)
    if kind == "bool":
        return value != 0, pos
    return _signed(value, 32 if kind == "int32" else 64), pos


def _zero(kind, elem):
    """Go's zero value as encoding/json writes it (for a map entry without value)."""
    if kind in ("str", "bytes"):
        return ""
    if kind in ("int32", "int64"):
        return 0
    if kind == "double":
        return 0.0
    if kind == "bool":
        return False
    if kind == "msg":
        return {}
    if kind == "special":
        return {_QUANTITY: "0", _INTORSTRING: 0}.get(elem)
    return None  # nil slice / map


def _read_value(kind, elem, buf, pos, end, wire, depth, where):
    """One non-repeated value of (kind, elem) -> (json value, new pos)."""
    if kind in _SCALAR_WIRE:
        _expect(wire, _SCALAR_WIRE[kind], where)
        return _read_scalar(kind, buf, pos, end)
    _expect(wire, _WIRE_BYTES, where)
    start, pos = _read_len(buf, pos, end)
    if kind == "msg":
        out = {}
        _read_message(buf, start, pos, _message(elem, elem), out, depth + 1)
        return out, pos
    if kind == "special":
        return _read_special(elem, buf, start, pos, depth), pos
    if kind == "list":  # a list inside a map: a wrapper message {1: repeated items}
        items = []
        p = start
        while p < pos:
            n, w, p = _read_key(buf, p, pos)
            if n == 1:
                p = _read_repeated(elem[0], elem[1], buf, p, pos, w, items, depth + 1, where)
            else:
                p = _skip(buf, p, pos, w, n)
        return items, pos
    raise ProtobufError(f"cannot decode {where}")


def _read_repeated(kind, elem, buf, pos, end, wire, items, depth, where):
    if wire == _WIRE_BYTES and kind in ("int32", "int64", "bool", "double"):  # packed
        start, pos = _read_len(buf, pos, end)
        p = start
        while p < pos:
            value, p = _read_scalar(kind, buf, p, pos)
            items.append(value)
        return pos
    value, pos = _read_value(kind, elem, buf, pos, end, wire, depth, where)
    items.append(value)
    return pos


def _read_map_entry(kind, elem, buf, pos, end, wire, out, depth, where):
    _expect(wire, _WIRE_BYTES, where)
    start, pos = _read_len(buf, pos, end)
    key, value, seen = "", None, False
    p = start
    while p < pos:
        n, w, p = _read_key(buf, p, pos)
        if n == 1:
            _expect(w, _WIRE_BYTES, where)
            s, p = _read_len(buf, p, pos)
            key = _utf8(buf[s:p])
        elif n == 2:
            value, p = _read_value(kind, elem, buf, p, pos, w, depth + 1, where)
            seen = True
        else:
            p = _skip(buf, p, pos, w, n)
    out[key] = value if seen else _zero(kind, elem)
    return pos


def _read_message(buf, pos, end, msg, out, depth):
    if depth > _MAX_DEPTH:
        raise ProtobufError("proto: exceeded maximum nesting depth")
    while pos < end:
        number, wire, pos = _read_key(buf, pos, end)
        field = msg.fields.get(number)
        if field is None:
            pos = _skip(buf, pos, end, wire, number)
            continue
        name, kind = field.name, field.kind
        if kind == "inline":
            _expect(wire, _WIRE_BYTES, name)
            start, pos = _read_len(buf, pos, end)
            _read_message(buf, start, pos, _message(*field.inline), out, depth + 1)
        elif kind == "list":
            items = out.get(name)
            if not isinstance(items, list):
                items = out[name] = []
            pos = _read_repeated(field.elem[0], field.elem[1], buf, pos, end, wire, items, depth, name)
        elif kind == "map":
            entries = out.get(name)
            if not isinstance(entries, dict):
                entries = out[name] = {}
            pos = _read_map_entry(field.elem[0], field.elem[1], buf, pos, end, wire, entries, depth, name)
        elif kind == "msg":
            _expect(wire, _WIRE_BYTES, name)
            start, pos = _read_len(buf, pos, end)
            sub = out.get(name)
            if not isinstance(sub, dict):  # a repeated occurrence merges, as in Go
                sub = out[name] = {}
            _read_message(buf, start, pos, _message(field.elem, field.elem), sub, depth + 1)
        elif kind == "special":
            out[name], pos = _read_value(kind, field.elem, buf, pos, end, wire, depth, name)
        else:
            value, pos = _read_value(kind, None, buf, pos, end, wire, depth, name)
            if value or field.pointer or field.required:
                out[name] = value
            else:  # zero value of a non-pointer omitempty field
                out.pop(name, None)


# --------------------------------------------------------- special types --


def _fields(buf, start, end, want):
    """Flat scalar fields of a small well-known message: {number: value}."""
    values = {}
    pos = start
    while pos < end:
        number, wire, pos = _read_key(buf, pos, end)
        kind = want.get(number)
        if kind is None:
            pos = _skip(buf, pos, end, wire, number)
            continue
        if kind == "raw":
            _expect(wire, _WIRE_BYTES, str(number))
            s, pos = _read_len(buf, pos, end)
            values[number] = bytes(buf[s:pos])
        else:
            _expect(wire, _SCALAR_WIRE[kind], str(number))
            values[number], pos = _read_scalar(kind, buf, pos, end)
    return values


def _read_special(defname, buf, start, end, depth):
    if defname in (_TIME, _MICROTIME):
        if start == end:
            return None
        values = _fields(buf, start, end, {1: "int64", 2: "int32"})
        return _format_time(values.get(1, 0), values.get(2, 0), defname == _MICROTIME)
    if defname == _QUANTITY:
        return _fields(buf, start, end, {1: "str"}).get(1, "0")
    if defname == _INTORSTRING:
        values = _fields(buf, start, end, {1: "int64", 2: "int32", 3: "str"})
        kind = values.get(1, 0)
        if kind == 0:
            return values.get(2, 0)
        if kind == 1:
            return values.get(3, "")
        raise ProtobufError("impossible IntOrString.Type")
    if defname in (_FIELDSV1, _RAWEXTENSION):
        raw = _fields(buf, start, end, {1: "raw"}).get(1)
        if not raw:
            return None if defname == _RAWEXTENSION else {}
        if raw.startswith(MAGIC):
            if depth > _MAX_DEPTH:
                raise ProtobufError("proto: exceeded maximum nesting depth")
            return _decode(raw, "", "")
        try:
            return json.loads(raw)
        except ValueError as exc:
            raise ProtobufError(f"invalid JSON in {defname.rsplit('.', 1)[-1]}: {exc}") from None
    raise ProtobufError(f"cannot decode {defname}")


def _format_time(seconds, nanos, micro):
    seconds += nanos // 1_000_000_000
    nanos %= 1_000_000_000
    if seconds == _GO_ZERO_SECONDS and nanos == 0:
        return None  # Go's zero time marshals as null
    try:
        moment = _EPOCH + datetime.timedelta(seconds=seconds)
    except OverflowError:
        raise ProtobufError(f"time out of range: {seconds}s") from None
    text = (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
        f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}"
    )
    if micro:
        text += f".{nanos // 1000:06d}"
    return text + "Z"
