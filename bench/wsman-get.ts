/** The requests of the WS-Man benchmarks: a Get of one of 1,000 systems, Enumerate and Pull of all RASDs. */

const CIM = 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/';
const HEAD =
  '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:n="http://schemas.xmlsoap.org/ws/2004/09/enumeration">';

/** WS-Transfer Get of vm500's Vessel_ComputerSystem, with the headers that wsl and WinRM send. */
export const GET_BODY = `${HEAD}<s:Header><a:To>http://127.0.0.1:5985/wsman</a:To><a:Action s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action><a:MessageID>uuid:6a3f1c2e-0000-4000-8000-000000000001</a:MessageID><w:ResourceURI s:mustUnderstand="true">${CIM}Vessel_ComputerSystem</w:ResourceURI><w:MaxEnvelopeSize s:mustUnderstand="true">153600</w:MaxEnvelopeSize><w:OperationTimeout>PT60S</w:OperationTimeout><w:SelectorSet><w:Selector Name="__cimnamespace">root/virtualization</w:Selector><w:Selector Name="CreationClassName">Vessel_ComputerSystem</w:Selector><w:Selector Name="Name">vm500</w:Selector></w:SelectorSet></s:Header><s:Body/></s:Envelope>`;

/** Enumerate of CIM_ResourceAllocationSettingData (every system's RASDs). */
export const ENUMERATE_BODY = `${HEAD}<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>${CIM}CIM_ResourceAllocationSettingData</w:ResourceURI></s:Header><s:Body><n:Enumerate/></s:Body></s:Envelope>`;

/** Pull of 500 items of the enumeration `ctx`. */
export const pullBody = (ctx: string): string =>
  `${HEAD}<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull</a:Action><a:MessageID>uuid:2</a:MessageID><w:ResourceURI>${CIM}CIM_ResourceAllocationSettingData</w:ResourceURI></s:Header><s:Body><n:Pull><n:EnumerationContext>${ctx}</n:EnumerationContext><n:MaxElements>500</n:MaxElements></n:Pull></s:Body></s:Envelope>`;
