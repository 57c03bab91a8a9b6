import type { MessageParams } from "../messages/catalog.js";
import { pick, type Locale } from "../messages/locale.js";
import type { Organisation } from "./organisation.js";

/**
 * The organisation's own names as message parameters, for the sentences that name the company or
 * one of its departments: a deployment that renames them in its organisation file is never called
 * by the manual's names. The company's name comes in both languages for bilingual sentences.
 */
export function organisationTerms(org: Organisation, locale: Locale): MessageParams {
  const departmentName = (id: string) => {
    const department = org.departments.find((d) => d.id === id);
    return department ? pick(department.name, locale) : id;
  };
  return {
    organisationZh: org.name.zh,
    organisationEn: org.name.en,
    afterSales: departmentName(org.afterSalesDepartment),
    complaintTeamLeader: departmentName(org.complaintTeam.leader),
    customerService: org.customerServiceDepartment ? departmentName(org.customerServiceDepartment) : "-",
    // §5: who transports and who stores a returned vehicle.
    transportDepartment: org.logistics ? departmentName(org.logistics.transport) : "-",
    storageDepartment: org.logistics ? departmentName(org.logistics.storage) : "-",
    qualityAssurance: departmentName(org.qualityAssuranceDepartment),
    finance: departmentName(org.complaintTeam.financeDepartment),
  };
}
