import {
  ApiError,
  type ArtifactsApi,
  type EventsApi,
  type NetworksApi,
  type PackagesApi,
  type UsersApi,
} from '../../../api/index.js';

/**
 * The namespaces the DMTF profiles behind CIM-XML and WS-Man (DSP1042, DSP1057 and their components) have no word
 * for: every method throws NOT_SUPPORTED saying so over which encoding, and what to use instead.
 */

function refuse(what: string, why: string, encoding: string): ApiError {
  return new ApiError('NOT_SUPPORTED', `Cannot ${what} over ${encoding}: ${why}`, {
    hint: 'Use the host itself (vessel:///STATE) for this',
  });
}

const EVENTS = 'this client does not listen for CIM indications';

/**
 * Events: CIM carries them as indications to a listener, which this client does not run.
 *
 * @example
 * await cimEvents('CIM-XML').list(); // throws NOT_SUPPORTED
 */
export function cimEvents(encoding: string): EventsApi {
  return {
    list: async () => {
      throw refuse('read the events', EVENTS, encoding);
    },
    subscribe: async () => {
      throw refuse('subscribe to events', EVENTS, encoding);
    },
  };
}

const PACKAGES = 'DSP1042 has no OVF deploy or export method';

/** Packages: no DMTF method deploys or exports OVF packages. */
export function cimPackages(encoding: string): PackagesApi {
  return {
    inspect: async () => {
      throw refuse('inspect a package', PACKAGES, encoding);
    },
    deploy: async () => {
      throw refuse('deploy a package', PACKAGES, encoding);
    },
    export: async () => {
      throw refuse('export a system', PACKAGES, encoding);
    },
  };
}

/** Artifacts: only exports make them, and CIM-XML carries none. */
export function cimArtifacts(encoding: string): ArtifactsApi {
  return {
    get: async () => {
      throw refuse('read an artifact', PACKAGES, encoding);
    },
    download: async () => {
      throw refuse('download an artifact', PACKAGES, encoding);
    },
    delete: async () => {
      throw refuse('delete an artifact', PACKAGES, encoding);
    },
  };
}

const USERS = "the management port's users are not CIM instances";

/** Users: the CIM-XML port's users are not CIM instances. */
export function cimUsers(encoding: string): UsersApi {
  return {
    list: async () => {
      throw refuse('list users', USERS, encoding);
    },
    add: async () => {
      throw refuse('add a user', USERS, encoding);
    },
    remove: async () => {
      throw refuse('remove a user', USERS, encoding);
    },
    setRole: async () => {
      throw refuse("change a user's role", USERS, encoding);
    },
    setPassword: async () => {
      throw refuse("set a user's password", USERS, encoding);
    },
    changePassword: async () => {
      throw refuse('change a password', USERS, encoding);
    },
    createToken: async () => {
      throw refuse('make a token', USERS, encoding);
    },
    tokens: async () => {
      throw refuse('list tokens', USERS, encoding);
    },
    revokeToken: async () => {
      throw refuse('revoke a token', USERS, encoding);
    },
  };
}

const NETWORKS = "the host's networks are not shown as DMTF classes";

/** Networks: Vessel's host networks have no DMTF classes. */
export function cimNetworks(encoding: string): NetworksApi {
  return {
    list: async () => {
      throw refuse('list networks', NETWORKS, encoding);
    },
    get: async () => {
      throw refuse('read a network', NETWORKS, encoding);
    },
    define: async () => {
      throw refuse('define a network', NETWORKS, encoding);
    },
    remove: async () => {
      throw refuse('remove a network', NETWORKS, encoding);
    },
  };
}
