/** The admin page resolver's function (`admin-resolver-fn` in manifest.yml). */
export { adminPageResolver } from './admin/admin_resolver';
