import {
  ApiError,
  type ArtifactsApi,
  type ConsolesApi,
  type EventsApi,
  type NetworksApi,
  type PackagesApi,
  type UsersApi,
} from '../../../api/index.js';

/**
 * The namespaces the DMTF profiles behind CIM-XML (DSP1042, DSP1057 and their components) have no word for:
 * every method throws NOT_SUPPORTED saying so, and what to use instead.
 */

function refuse(what: string, why: string): ApiError {
  return new ApiError('NOT_SUPPORTED', `Cannot ${what} over CIM-XML: ${why}`, {
    hint: 'Use the host itself (vessel:///STATE) for this',
  });
}

const EVENTS = 'this client does not listen for CIM indications';

/**
 * Events: CIM carries them as indications to a listener, which this client does not run.
 *
 * @example
 * await cimEvents.list(); // throws NOT_SUPPORTED
 */
export const cimEvents: EventsApi = {
  list: async () => {
    throw refuse('read the events', EVENTS);
  },
  subscribe: async () => {
    throw refuse('subscribe to events', EVENTS);
  },
};

const PACKAGES = 'DSP1042 has no OVF deploy or export method';

/** Packages: no DMTF method deploys or exports OVF packages. */
export const cimPackages: PackagesApi = {
  inspect: async () => {
    throw refuse('inspect a package', PACKAGES);
  },
  deploy: async () => {
    throw refuse('deploy a package', PACKAGES);
  },
  export: async () => {
    throw refuse('export a system', PACKAGES);
  },
};

/** Artifacts: only exports make them, and CIM-XML carries none. */
export const cimArtifacts: ArtifactsApi = {
  get: async () => {
    throw refuse('read an artifact', PACKAGES);
  },
  download: async () => {
    throw refuse('download an artifact', PACKAGES);
  },
  delete: async () => {
    throw refuse('delete an artifact', PACKAGES);
  },
};

const CONSOLES = 'the serial console and its log are Vessel features that the DMTF profiles do not carry';

/** Consoles: no DMTF profile carries a serial console or its log. */
export const cimConsoles: ConsolesApi = {
  log: async () => {
    throw refuse('read a console log', CONSOLES);
  },
  open: async () => {
    throw refuse('open a console', CONSOLES);
  },
  screenshot: async () => {
    throw refuse('take a screenshot', CONSOLES);
  },
};

const USERS = "the management port's users are not CIM instances";

/** Users: the CIM-XML port's users are not CIM instances. */
export const cimUsers: UsersApi = {
  list: async () => {
    throw refuse('list users', USERS);
  },
  add: async () => {
    throw refuse('add a user', USERS);
  },
  remove: async () => {
    throw refuse('remove a user', USERS);
  },
  setRole: async () => {
    throw refuse("change a user's role", USERS);
  },
  setPassword: async () => {
    throw refuse("set a user's password", USERS);
  },
  changePassword: async () => {
    throw refuse('change a password', USERS);
  },
  createToken: async () => {
    throw refuse('make a token', USERS);
  },
  tokens: async () => {
    throw refuse('list tokens', USERS);
  },
  revokeToken: async () => {
    throw refuse('revoke a token', USERS);
  },
};

const NETWORKS = "the host's networks are not shown as DMTF classes";

/** Networks: Vessel's host networks have no DMTF classes. */
export const cimNetworks: NetworksApi = {
  list: async () => {
    throw refuse('list networks', NETWORKS);
  },
  get: async () => {
    throw refuse('read a network', NETWORKS);
  },
  define: async () => {
    throw refuse('define a network', NETWORKS);
  },
  remove: async () => {
    throw refuse('remove a network', NETWORKS);
  },
};
