/** Loads every command group; each file registers itself with `registerGroup`. */
import './cim.js';
import './convert.js';
import './disk.js';
import './host.js';
import './ova.js';
import './ovf.js';
import './remote.js';
import './user.js';
import './vm.js';
